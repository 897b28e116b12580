using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// A host with the public site on a free loopback port, confirmation mail through a real SMTP server (aiosmtpd) and
/// DNS proofs against a DNS server on loopback. Self-service removes a subject at most once a period, and a subject
/// may make two requests a day, so that both the self-service path and the review queue show.
/// </summary>
public sealed class PublicSiteFixture : IAsyncLifetime
{
    public ClearinghouseTestHost Host { get; private set; } = null!;

    public SmtpSink Smtp { get; private set; } = null!;

    public LoopbackDnsServer Dns { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        Dns = LoopbackDnsServer.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:Public:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Public:DelistingCallsPerHour"] = "1000",
            ["Clearinghouse:Public:LookupsPerMinute"] = "1000",
            ["Clearinghouse:Public:Contact"] = "abuse-desk@clearinghouse.example",
            ["Clearinghouse:Delisting:SelfServiceLimit"] = "1",
            ["Clearinghouse:Delisting:RequestsPerSubject"] = "2",
            ["Clearinghouse:Delisting:Mail:Host"] = "127.0.0.1",
            ["Clearinghouse:Delisting:Mail:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Delisting:Mail:Security"] = "None",
            ["Clearinghouse:Delisting:Mail:From"] = "delisting@clearinghouse.example",
        };
        foreach (var (key, value) in Dns.Settings())
        {
            settings[key] = value;
        }

        Host = await ClearinghouseTestHost.StartAsync(settings);
        Http = new HttpClient { BaseAddress = Host.PublicAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Dns.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>Lists <paramref name="sender"/> the way it happens: six recipients at two providers report it.</summary>
    public async Task ListSenderAsync(string sender)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++)
        {
            var (recipient, key) = i < 3 ? ($"u{i}@{TestTenants.AcmeDomain}", TestTenants.AcmeKey) : ($"v{i}@{TestTenants.OtherDomain}", TestTenants.OtherKey);
            await Host.Reports(key).SubmitViolationAsync(new SubmitViolationRequest
            {
                ReportId = Guid.NewGuid().ToString("N"),
                Recipient = recipient,
                Sender = sender,
                FirstMessage = Evidence($"first-{i}", now.AddDays(-5)),
                RequestMethod = DoNotSendMethod.OneClick,
                RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
                SecondMessage = Evidence($"second-{i}", now.AddHours(-1)),
            });
        }

        await WaitUntilListedAsync(sender, listed: true);
    }

    /// <summary>Lists a domain (the clearing house lists only addresses by itself today: straight onto the list).</summary>
    public async Task ListDomainAsync(string domain)
    {
        var list = Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IFilterList>(0);
        await list.Append(Domain.FilterChangeOp.Add, new Domain.FilterEntry(Domain.FilterEntryKind.Domain, domain), "listed by the test", $"case-test-{Guid.NewGuid():N}");
        await WaitUntilListedAsync(domain, listed: true);
    }

    public async Task<JsonElement> LookupAsync(string query)
    {
        using var response = await Http.GetAsync($"/api/v1/lookup?q={Uri.EscapeDataString(query)}");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until this gateway's replica (which the lookup reads) says what is expected.</summary>
    public async Task WaitUntilListedAsync(string query, bool listed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await LookupAsync(query)).GetProperty("listed").GetBoolean() != listed)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{query} did not become {(listed ? "listed" : "unlisted")}");
            }

            await Task.Delay(50);
        }
    }

    private static MessageEvidence Evidence(string id, DateTimeOffset date) => new()
    {
        MessageId = $"<{id}-{Guid.NewGuid():N}@bulk.example>",
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))),
    };
}

[CollectionDefinition(Name)]
public sealed class PublicSiteCollection : ICollectionFixture<PublicSiteFixture>
{
    public const string Name = "public site";
}
