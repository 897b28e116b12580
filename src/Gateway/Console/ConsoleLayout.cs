using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.Gateway.Console;

/// <summary>Who is looking at a page, what they may do, and the form token every change must carry.</summary>
public sealed record PageContext(string Operator, bool CanChange, string CsrfToken, string? Message);

/// <summary>
/// The console's HTML shell and building blocks. Pages are plain server-rendered HTML with one stylesheet and one
/// script from the console itself; no inline script or style (the Content-Security-Policy forbids them). Everything
/// that came from outside is HTML-encoded; every form that changes something carries the antiforgery token.
/// </summary>
public static class ConsoleLayout
{
    public const string CsrfField = "__csrf";

    private static readonly (string Path, string Title)[] Sections =
    [
        ("/", "Overview"),
        ("/senders", "Senders"),
        ("/escalations", "Escalations"),
        ("/filter-list", "Filter list"),
        ("/thresholds", "Thresholds"),
        ("/audit", "Audit log"),
        ("/delisting", "Delisting requests"),
        ("/cluster", "Cluster"),
    ];

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string E(string? text) => Html.Encode(text ?? "");

    /// <summary>A query-string value, encoded for a URL and then for an attribute.</summary>
    public static string U(string? text) => E(Uri.EscapeDataString(text ?? ""));

    public static string Page(string title, string section, PageContext context, string body)
    {
        var html = new StringBuilder();
        html.Append(Head(title, withScript: true));
        html.Append("""
            <body>
            <header class="top"><span class="brand">Clearinghouse</span><nav>
            """);
        foreach (var (path, name) in Sections)
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{path}\"{(path == section ? " class=\"here\"" : "")}>{E(name)}</a>");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </nav><div class="who"><span>{E(context.Operator)} ({(context.CanChange ? "administrator" : "viewer")})</span>
            <form method="post" action="/logout">{Token(context)}<button type="submit">Log out</button></form></div></header>
            <main><h1>{E(title)}</h1>
            """);
        if (context.Message is { Length: > 0 } message)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice ok\" role=\"status\">{E(message)}</p>");
        }

        html.Append(body);
        html.Append("</main><footer>Every change here is an operator API call (named under each form), recorded in the audit log under your name.</footer></body></html>");
        return html.ToString();
    }

    /// <summary>A page outside the login (the login form, errors before a session exists).</summary>
    public static string Bare(string title, string body) => $"""
        {Head(title, withScript: false)}
        <body><main>{body}</main></body></html>
        """;

    /// <summary>The document's start and head: the console's stylesheet, and its script on pages behind the login.</summary>
    private static string Head(string title, bool withScript) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} · Clearinghouse operators</title>
        <link rel="stylesheet" href="/console.css">
        {(withScript ? "<script src=\"/console.js\" defer></script>\n" : "")}</head>

        """;

    public static string Token(PageContext context) => $"<input type=\"hidden\" name=\"{CsrfField}\" value=\"{E(context.CsrfToken)}\">";

    /// <summary>A form that changes something: shown to administrators only (the server refuses viewers anyway).</summary>
    public static string ChangeForm(PageContext context, string action, string rpc, string fields, string button, bool danger = false, string formClass = "stack") =>
        context.CanChange
            ? $"<form class=\"{formClass}\" method=\"post\" action=\"{E(action)}\">{Token(context)}{fields}<button type=\"submit\"{(danger ? " class=\"danger\"" : "")}>{E(button)}</button><span class=\"api\">{E(rpc)}</span></form>"
            : "";

    public static string Time(Timestamp? at) => at is null ? "—" : Time(at.ToDateTimeOffset());

    public static string Time(DateTimeOffset at) => $"<time datetime=\"{at.UtcDateTime:O}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>";

    public static string Number(double value, int digits = 1) => value.ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A proto enum value as a lower-case name (<c>DeliveryStatus.DeadLetter</c> → <c>dead_letter</c>).</summary>
    public static string Name<T>(T value)
        where T : struct, System.Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string State(string name) => $"<span class=\"state {E(name)}\">{E(name.Replace('_', ' '))}</span>";
}
