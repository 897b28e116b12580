using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Public;

/// <summary>
/// The public site's HTML: plain pages and forms, no script, one stylesheet from the same origin (the
/// Content-Security-Policy allows nothing else). Everything that came from outside is HTML-encoded.
/// </summary>
public static class PublicPages
{
    public const string Stylesheet = """
        body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }
        h1 { font-size: 1.5rem; }
        label { display: block; margin-top: 1rem; font-weight: 600; }
        input[type=text], textarea, select { width: 100%; padding: .4rem; font: inherit; box-sizing: border-box; }
        button { margin-top: 1rem; padding: .5rem 1.2rem; font: inherit; }
        .listed { color: #8a1c1c; } .clear { color: #1c6b2a; } .error { color: #8a1c1c; }
        code, pre { background: #f3f3f3; padding: .1rem .3rem; overflow-wrap: anywhere; }
        footer { margin-top: 3rem; font-size: .9rem; }
        dt { font-weight: 600; } dd { margin: 0 0 .5rem 0; }
        """;

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Home() => Page("Is a sender listed?", LookupForm("") + """
        <p>The Clearinghouse lists senders who kept sending mail after recipients asked them to stop, reported by
        several mail providers. A listed sender can <a href="/delist">ask for removal</a> once it proves control of
        the address or domain.</p>
        """);

    public static string Lookup(ListingAnswer answer)
    {
        var body = new StringBuilder(LookupForm(answer.Query));
        if (!answer.Listed)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"clear\"><strong>{E(answer.Query)}</strong> is not listed.</p>");
            return Page("Not listed", body.ToString());
        }

        body.Append(CultureInfo.InvariantCulture, $"<p class=\"listed\"><strong>{E(answer.Query)}</strong> is listed.</p><dl>");
        if (answer.ListedAs is { } listedAs && !listedAs.EndsWith(":" + answer.Query, StringComparison.Ordinal))
        {
            Item(body, "Listed as", listedAs);
        }

        Item(body, "Since", answer.ListedSince?.ToString("u", CultureInfo.InvariantCulture));
        Item(body, "Why", answer.Reason);
        Item(body, "Case", answer.CaseId);
        Item(body, "Expires", answer.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "not set");
        body.Append("</dl>");
        if (answer.HowToRemove is { } howTo)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p>{E(howTo)}</p>");
        }

        if (answer.RemovalUrl is { } url)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(url)}\">Ask for removal</a></p>");
        }

        return Page("Listed", body.ToString());
    }

    public static string DelistingForm(string subject, bool mailAvailable) => Page("Ask for removal", $"""
        <form method="post" action="/delist">
        <label for="subject">Listed address or domain</label>
        <input type="text" id="subject" name="subject" value="{E(subject)}" required maxlength="300">
        <label for="method">How you prove control of it</label>
        <select id="method" name="method">
        {(mailAvailable ? "<option value=\"email\">a confirmation link mailed to the address</option>" : "")}
        <option value="dns">a DNS TXT record under the domain</option>
        </select>
        <label for="explanation">Why it should be removed (optional, read by operators)</label>
        <textarea id="explanation" name="explanation" rows="5" maxlength="{DelistingBook.MaxExplanationLength}"></textarea>
        <button type="submit">Ask for removal</button>
        </form>
        """);

    /// <summary>The page the mailed link opens: it changes nothing; its button confirms.</summary>
    public static string ConfirmForm(string subject, string requestId, string token) => Page("Confirm the removal", $"""
        <p>Confirm that <strong>{E(subject)}</strong> should be removed from the filter list.</p>
        <form method="post" action="/delist/confirm">
        <input type="hidden" name="subject" value="{E(subject)}">
        <input type="hidden" name="request_id" value="{E(requestId)}">
        <input type="hidden" name="token" value="{E(token)}">
        <button type="submit">Confirm the removal</button>
        </form>
        """);

    public static string Request(DelistingRequestView request, string statusUrl)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>Request <code>{E(request.Id)}</code> for <strong>{E(request.Subject.Value)}</strong>.</p>");
        body.Append(CultureInfo.InvariantCulture, $"<p>{E(Explain(request))}</p>");
        if (request.Status == DelistingStatus.AwaitingProof && request.Method == ProofMethod.Dns)
        {
            body.Append(CultureInfo.InvariantCulture, $"""
                <dl><dt>TXT record name</dt><dd><code>{E(request.DnsRecordName)}</code></dd>
                <dt>Value</dt><dd><code>{E(request.DnsToken)}</code></dd></dl>
                <form method="post" action="/delist/check-dns">
                <input type="hidden" name="subject" value="{E(request.Subject.Value)}">
                <input type="hidden" name="request_id" value="{E(request.Id)}">
                <button type="submit">Check the TXT record</button>
                </form>
                """);
        }

        body.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(statusUrl)}\">Where this request stands</a></p>");
        return Page(Title(request.Status), body.ToString());
    }

    public static string Error(string message) => Page("Something is wrong", $"<p class=\"error\">{E(message)}</p>");

    /// <summary>What the requester reads about a request's state.</summary>
    public static string Explain(DelistingRequestView request) => request.Status switch
    {
        DelistingStatus.AwaitingProof when request.Method == ProofMethod.Email =>
            $"A confirmation link was mailed to {request.Subject.Value}. Open it and confirm before {request.ProofDeadline:u}.",
        DelistingStatus.AwaitingProof =>
            $"Publish a TXT record {request.DnsRecordName} with the value {request.DnsToken}, then check it, before {request.ProofDeadline:u}.",
        DelistingStatus.Proven => "Control is proven; the request is being carried out.",
        DelistingStatus.Removed => "Removed from the filter list. Subscribers apply the change within moments.",
        DelistingStatus.PendingReview => "Control is proven. This subject has used self-service removal as often as allowed recently, so an operator reviews the request.",
        DelistingStatus.Approved => "An operator approved the request: removed from the filter list.",
        DelistingStatus.Refused => $"An operator refused the request: {request.DecisionReason}",
        DelistingStatus.Expired => "The request expired before control was proven. Ask again.",
        DelistingStatus.NotListed => "Nothing was removed: it is no longer listed.",
        DelistingStatus.MailFailed => "The confirmation mail could not be sent. Ask again later, or prove control by DNS.",
        _ => request.Status.ToString(),
    };

    private static string Title(DelistingStatus status) => status switch
    {
        DelistingStatus.AwaitingProof => "Prove control",
        DelistingStatus.Removed or DelistingStatus.Approved => "Removed",
        DelistingStatus.PendingReview => "Waiting for review",
        DelistingStatus.Refused => "Refused",
        _ => "Delisting request",
    };

    private static string LookupForm(string query) => $"""
        <form method="get" action="/lookup">
        <label for="q">Sender address, domain or IP address</label>
        <input type="text" id="q" name="q" value="{E(query)}" required maxlength="300">
        <button type="submit">Look up</button>
        </form>
        """;

    private static void Item(StringBuilder body, string name, string? value)
    {
        if (value is { Length: > 0 })
        {
            body.Append(CultureInfo.InvariantCulture, $"<dt>{E(name)}</dt><dd>{E(value)}</dd>");
        }
    }

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} – Clearinghouse</title><link rel="stylesheet" href="/style.css"></head>
        <body><main><h1>{E(title)}</h1>
        {body}
        </main>
        <footer><a href="/">Look up a sender</a> · <a href="/delist">Ask for removal</a></footer></body>
        </html>
        """;

    private static string E(string? text) => Html.Encode(text ?? "");
}
