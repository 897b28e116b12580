using System.Globalization;
using Clearinghouse.Gateway.Security;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// A host whose forged domains' owners are told: failure reports through a real SMTP server (aiosmtpd) as the relay,
/// DMARC records on a DNS server on loopback, a report period of <see cref="ReportPeriod"/>, a fallback destination,
/// and ten providers (p0 … p9, each owning <c>pN.example</c>) to report from.
/// </summary>
public sealed class ForgerySiteFixture : IAsyncLifetime
{
    public const string Fallback = "forgery-desk@clearinghouse.example";

    /// <summary>Long enough for a thousand reports to arrive within one period on a quiet machine.</summary>
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(5);

    public ClearinghouseTestHost Host { get; private set; } = null!;

    public SmtpSink Smtp { get; private set; } = null!;

    public LoopbackDnsServer Dns { get; private set; } = null!;

    public static string ProviderKey(int provider) => $"forgery-provider-{provider}-key";

    public static string ProviderDomain(int provider) => $"p{provider}.example";

    public async Task InitializeAsync()
    {
        Smtp = await SmtpSink.StartAsync();
        Dns = LoopbackDnsServer.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Clearinghouse:Forgery:ReportPeriod"] = ReportPeriod.ToString("c", CultureInfo.InvariantCulture),
            ["Clearinghouse:Forgery:ReminderPeriod"] = "00:00:05",
            ["Clearinghouse:Forgery:Mail:Host"] = "127.0.0.1",
            ["Clearinghouse:Forgery:Mail:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Forgery:Mail:Security"] = "None",
            ["Clearinghouse:Forgery:Mail:From"] = "failure-reports@clearinghouse.example",
            ["Clearinghouse:Forgery:Mail:To"] = Fallback,
            ["Clearinghouse:Escalation:FirstRetryDelay"] = "00:00:01",
        };
        for (var p = 0; p < 10; p++)
        {
            settings[$"Clearinghouse:Providers:p{p}:Domains:0"] = ProviderDomain(p);
            settings[$"Clearinghouse:Providers:p{p}:ApiKeySha256:0"] = CallerDirectory.HashKey(ProviderKey(p));
        }

        foreach (var (key, value) in Dns.Settings())
        {
            settings[key] = value;
        }

        Host = await ClearinghouseTestHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Dns.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ForgeryCollection : ICollectionFixture<ForgerySiteFixture>
{
    public const string Name = "host telling forged domains' owners";
}
