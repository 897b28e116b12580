using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clearinghouse.IntegrationTests;

/// <summary>The public lookup over real HTTP: whether, since when and why something is listed, and how to ask for removal.</summary>
[Collection(PublicSiteCollection.Name)]
public partial class LookupTests(PublicSiteFixture fixture)
{
    [Fact]
    public async Task A_listed_address_is_found_with_since_why_and_how_to_ask_for_removal_but_no_evidence()
    {
        var sender = $"promo-{Guid.NewGuid():N}@bulk.example";
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await fixture.ListSenderAsync(sender);

        var answer = await fixture.LookupAsync(sender.ToUpperInvariant());
        Assert.True(answer.GetProperty("listed").GetBoolean());
        Assert.Equal((sender, "address", $"address:{sender}"), (answer.GetProperty("query").GetString(), answer.GetProperty("kind").GetString(), answer.GetProperty("listed_as").GetString()));
        Assert.InRange(answer.GetProperty("listed_since").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
        Assert.Contains("6 distinct recipients", answer.GetProperty("reason").GetString());
        Assert.StartsWith("case-", answer.GetProperty("case_id").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("expires_at").ValueKind);
        Assert.Equal(new Uri(fixture.Host.PublicAddress, $"/delist?subject={Uri.EscapeDataString(sender)}"), new Uri(answer.GetProperty("removal_url").GetString()!));
        Assert.Contains("confirmation link", answer.GetProperty("how_to_remove").GetString());

        // The reason, never the evidence: no provider, recipient or message identifier.
        var text = answer.GetRawText();
        foreach (var evidence in new[] { "acme", "other", "first-", "second-", "@acme.example" })
        {
            Assert.DoesNotContain(evidence, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_listed_domain_covers_its_addresses_and_subdomains_and_unlisted_things_say_so()
    {
        var domain = $"d{Guid.NewGuid():N}.example";
        await fixture.ListDomainAsync(domain);

        foreach (var query in new[] { domain, $"mail.{domain}", $"anyone@{domain}", $"anyone@deep.mail.{domain}" })
        {
            var answer = await fixture.LookupAsync(query);
            Assert.True(answer.GetProperty("listed").GetBoolean(), query);
            Assert.Equal($"domain:{domain}", answer.GetProperty("listed_as").GetString());
            Assert.Equal("listed by the test", answer.GetProperty("reason").GetString());
            Assert.EndsWith($"/delist?subject={domain}", answer.GetProperty("removal_url").GetString());
        }

        foreach (var (query, kind) in new[] { ("nobody@else.example", "address"), ("else.example", "domain"), ("192.0.2.55", "ip"), ("2001:DB8::1", "ip") })
        {
            var answer = await fixture.LookupAsync(query);
            Assert.False(answer.GetProperty("listed").GetBoolean());
            Assert.Equal(kind, answer.GetProperty("kind").GetString());
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("reason").ValueKind);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("a@")]
    [InlineData("very-long")]
    public async Task A_bad_query_is_refused_naming_the_parameter(string query)
    {
        query = query == "very-long" ? new string('a', 300) + ".example" : query;
        using var response = await fixture.Http.GetAsync($"/api/v1/lookup?q={Uri.EscapeDataString(query)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("q:", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Pages_are_plain_HTML_under_a_strict_content_security_policy_with_nothing_from_another_origin()
    {
        var domain = $"d{Guid.NewGuid():N}.example";
        await fixture.ListDomainAsync(domain);
        foreach (var path in new[] { "/", $"/lookup?q={domain}", "/lookup?q=%3Cscript%3E.example", $"/delist?subject={domain}", "/style.css" })
        {
            using var response = await fixture.Http.GetAsync(path);
            Assert.Equal("default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
            foreach (Match reference in ReferencePattern().Matches(body))
            {
                var target = reference.Groups[1].Value;
                Assert.True(target.StartsWith('/') || target.StartsWith(fixture.Host.PublicAddress.ToString().TrimEnd('/'), StringComparison.Ordinal), $"{path} refers to {target}");
            }
        }

        var listed = await fixture.Http.GetStringAsync($"/lookup?q={domain}");
        Assert.Contains("is listed", listed);
        Assert.Contains("listed by the test", listed);
    }

    [Fact]
    public async Task The_public_port_answers_only_the_public_site_and_the_gRPC_port_never_does()
    {
        using var grpcOnPublic = await fixture.Http.PostAsync("/clearinghouse.v1.Diagnostics/Ping", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.NotFound, grpcOnPublic.StatusCode);
        using var health = await fixture.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);

        using var http2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var lookupOnGrpc = await http2.GetAsync(new Uri(fixture.Host.Address, "/api/v1/lookup?q=a.example"));
        Assert.Equal(HttpStatusCode.NotFound, lookupOnGrpc.StatusCode);
    }

    [GeneratedRegex("(?:href|src|action)=\"([^\"]*)\"")]
    private static partial Regex ReferencePattern();
}
