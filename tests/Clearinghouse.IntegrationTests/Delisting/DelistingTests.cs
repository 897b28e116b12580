using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Delisting requests end to end: a sender asks on the public site over real HTTP, proves control of its address by a
/// link mailed through a real SMTP server, or of a domain by a TXT record on a DNS server on loopback; the first proven
/// request is removed at once, the next goes to the operators' review queue; every step is in the audit trail.
/// </summary>
[Collection(PublicSiteCollection.Name)]
public partial class DelistingTests(PublicSiteFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_sender_proves_control_by_the_mailed_link_and_is_removed_at_once()
    {
        var sender = $"news-{Guid.NewGuid():N}@shop.example";
        await fixture.ListSenderAsync(sender);

        // The form, as a browser posts it.
        using var asked = await Http.PostAsync("/delist", Form(("subject", sender.ToUpperInvariant()), ("method", "email"), ("explanation", "we fixed our unsubscribe handling")));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("A confirmation link was mailed", await asked.Content.ReadAsStringAsync());

        // The mail arrives at the listed address, through the relay, with a link to the public site.
        var mail = (await fixture.Smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10), to: sender)).Single();
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
        var link = new Uri(LinkPattern().Match(mail.TextBody ?? "").Value);
        Assert.Equal(fixture.Host.PublicAddress.Authority, link.Authority);

        // Opening the link changes nothing (a mail scanner fetching it confirms nothing): it shows a button.
        var page = await Http.GetStringAsync(link.PathAndQuery);
        Assert.True((await fixture.LookupAsync(sender)).GetProperty("listed").GetBoolean());

        // Pressing it removes the sender: self-service, the first time.
        using var confirmed = await Http.PostAsync("/delist/confirm", Form(HiddenFields(page)));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("Removed from the filter list", await confirmed.Content.ReadAsStringAsync());
        await fixture.WaitUntilListedAsync(sender, listed: false);
        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal(EscalationState.Delisted, status.State);

        // Every step, in order, with who took it.
        var steps = (await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "delisting" })).Entries.Reverse().ToList();
        Assert.Equal(["delisting.request", "delisting.proof_sent", "delisting.proven", "delisting.removed"], steps.Select(s => s.Action));
        Assert.Equal(["requester:127.0.0.1", "self-service", "requester:127.0.0.1", "self-service"], steps.Select(s => s.Actor));
        Assert.Equal("we fixed our unsubscribe handling", steps[0].Reason);
        Assert.Single(steps.Select(s => s.Details["request_id"]).Distinct());
        Assert.Equal("true", steps[3].Details["removed"]);

        // The link works once: confirming again only says where the request stands.
        using var again = await Http.PostAsync("/delist/confirm", Form(HiddenFields(page)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(4, (await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "delisting" })).Entries.Count);
    }

    [Fact]
    public async Task A_wrong_token_proves_nothing()
    {
        var sender = $"wrong-token-{Guid.NewGuid():N}@shop.example";
        await fixture.ListSenderAsync(sender);
        var request = await OpenAsync(sender, "email");

        using var refused = await Http.PostAsJsonAsync("/api/v1/delisting-requests/confirm", new { subject = sender, request_id = request.GetProperty("request_id").GetString(), token = "not-the-token" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.StartsWith("token:", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.True((await fixture.LookupAsync(sender)).GetProperty("listed").GetBoolean());
        var failed = (await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "delisting.proof_failed" })).Entries.Single();
        Assert.Equal("requester:127.0.0.1", failed.Actor);
    }

    [Fact]
    public async Task A_domain_proves_control_by_DNS_and_past_its_self_service_limit_waits_for_an_operator()
    {
        var domain = $"d{Guid.NewGuid():N}.example";
        await fixture.ListDomainAsync(domain);

        // The JSON API says which TXT record to publish; before it is there, the check says so.
        var first = await OpenAsync(domain, "dns");
        var dns = first.GetProperty("dns");
        Assert.Equal($"_clearinghouse-delist.{domain}", dns.GetProperty("name").GetString());
        using (var early = await CheckDnsAsync(domain, first))
        {
            Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
            Assert.Contains("no TXT record", (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        fixture.Dns.Txt(dns.GetProperty("name").GetString()!, dns.GetProperty("value").GetString()!);
        using (var proven = await CheckDnsAsync(domain, first))
        {
            var body = await proven.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("removed", body.GetProperty("status").GetString());
            Assert.Contains($"_clearinghouse-delist.{domain}", body.GetProperty("proof").GetProperty("detail").GetString());
        }

        await fixture.WaitUntilListedAsync(domain, listed: false);

        // Listed again: self-service is used up for the period, so the next proven request waits for review.
        fixture.Dns.Clear(dns.GetProperty("name").GetString()!);
        await fixture.ListDomainAsync(domain);
        var second = await OpenAsync(domain, "dns");
        fixture.Dns.Txt(second.GetProperty("dns").GetProperty("name").GetString()!, second.GetProperty("dns").GetProperty("value").GetString()!);
        using (var waiting = await CheckDnsAsync(domain, second))
        {
            Assert.Equal("pending_review", (await waiting.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        Assert.True((await fixture.LookupAsync(domain)).GetProperty("listed").GetBoolean());
        var id = second.GetProperty("request_id").GetString()!;
        var alice = fixture.Host.Operator(TestTenants.AliceKey);
        var queued = (await alice.ListDelistingRequestsAsync(new ListDelistingRequestsRequest())).Requests.Single(r => r.RequestId == id);
        Assert.Equal((domain, SubjectKind.Domain, ProofMethod.Dns, DelistingStatus.PendingReview), (queued.Subject, queued.SubjectKind, queued.Method, queued.Status));
        Assert.Equal(ProofMethod.Dns, queued.Proof.Method);
        Assert.Contains(second.GetProperty("dns").GetProperty("value").GetString()!, queued.Proof.Detail);
        Assert.Equal("127.0.0.1", queued.Requester);

        // Refusing needs a reason; approving removes it, under the operator's name.
        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await alice.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = id }));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.StartsWith("reason:", noReason.Status.Detail);
        var approved = await alice.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = id, Reason = "the owner showed us its new list hygiene" });
        Assert.Equal((DelistingStatus.Approved, "operator:alice"), (approved.Status, approved.DecidedBy));
        await fixture.WaitUntilListedAsync(domain, listed: false);
        Assert.DoesNotContain((await alice.ListDelistingRequestsAsync(new ListDelistingRequestsRequest())).Requests, r => r.RequestId == id);
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await alice.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = id }));
        Assert.Equal(StatusCode.NotFound, twice.StatusCode);

        // The requester reads the outcome.
        var outcome = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/delisting-requests/status?subject={domain}&request_id={id}");
        Assert.Equal("approved", outcome.GetProperty("status").GetString());

        var steps = (await alice.ListAuditAsync(new ListAuditRequest { Target = $"domain:{domain}", Action = "delisting" })).Entries.Reverse().Select(e => (e.Action, e.Actor)).ToList();
        Assert.Equal(
            [
                ("delisting.request", "requester:127.0.0.1"), ("delisting.proof_failed", "requester:127.0.0.1"), ("delisting.proven", "requester:127.0.0.1"), ("delisting.removed", "self-service"),
                ("delisting.request", "requester:127.0.0.1"), ("delisting.proven", "requester:127.0.0.1"), ("delisting.queued", "self-service"), ("delisting.approved", "operator:alice"),
            ],
            steps);

        // Two requests a day per subject: the third is refused, with when to retry.
        await fixture.ListDomainAsync(domain);
        using var third = await Http.PostAsJsonAsync("/api/v1/delisting-requests", new { subject = domain, method = "dns" });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.FromHours(23));
    }

    [Theory]
    [InlineData("{\"subject\": \"never-listed@shop.example\", \"method\": \"email\"}", HttpStatusCode.NotFound, "subject:")]
    [InlineData("{\"subject\": \"not an address\", \"method\": \"email\"}", HttpStatusCode.BadRequest, "subject:")]
    [InlineData("{\"subject\": \"192.0.2.1\", \"method\": \"dns\"}", HttpStatusCode.BadRequest, "subject:")]
    [InlineData("{\"subject\": \"LISTED\", \"method\": \"fax\"}", HttpStatusCode.BadRequest, "method:")]
    [InlineData("{\"subject\": \"LISTED-DOMAIN\", \"method\": \"email\"}", HttpStatusCode.BadRequest, "method:")]
    [InlineData("{\"subject\": ", HttpStatusCode.BadRequest, "body:")]
    public async Task A_bad_request_is_refused_naming_the_field_and_changes_nothing(string json, HttpStatusCode status, string field)
    {
        var sender = $"listed-{Guid.NewGuid():N}@shop.example";
        var domain = $"d{Guid.NewGuid():N}.example";
        await fixture.ListSenderAsync(sender);
        await fixture.ListDomainAsync(domain);
        var mails = fixture.Smtp.Messages().Count;

        using var content = new StringContent(json.Replace("LISTED-DOMAIN", domain, StringComparison.Ordinal).Replace("LISTED", sender, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/api/v1/delisting-requests", content);

        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(mails, fixture.Smtp.Messages().Count);
        Assert.Empty((await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}", Action = "delisting" })).Entries);
        Assert.Empty((await fixture.Host.Operator().ListAuditAsync(new ListAuditRequest { Target = $"domain:{domain}", Action = "delisting" })).Entries);
    }

    [Theory]
    [InlineData("request_id")]
    [InlineData("reason")]
    [InlineData("limit")]
    public async Task A_bad_review_call_is_refused_naming_the_field(string field)
    {
        var alice = fixture.Host.Operator(TestTenants.AliceKey);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            switch (field)
            {
                case "request_id":
                    await alice.ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = "not-a-request" });
                    break;
                case "reason":
                    await alice.RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = "dl-0123456789abcdef0123456789abcdef", Reason = new string('r', 451) });
                    break;
                default:
                    await alice.ListDelistingRequestsAsync(new ListDelistingRequestsRequest { Limit = 1001 });
                    break;
            }
        });
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    [Fact]
    public async Task A_form_posted_as_something_else_is_refused()
    {
        using var response = await Http.PostAsync("/delist", new StringContent("subject=x", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<JsonElement> OpenAsync(string subject, string method)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/delisting-requests", new { subject, method, explanation = "please" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("awaiting_proof", body.GetProperty("status").GetString());
        return body;
    }

    private Task<HttpResponseMessage> CheckDnsAsync(string subject, JsonElement request) =>
        Http.PostAsJsonAsync("/api/v1/delisting-requests/check-dns", new { subject, request_id = request.GetProperty("request_id").GetString() });

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    private static (string, string)[] HiddenFields(string html) =>
        [.. HiddenPattern().Matches(html).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];

    [GeneratedRegex(@"https?://\S+/delist/confirm\?\S+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenPattern();
}
