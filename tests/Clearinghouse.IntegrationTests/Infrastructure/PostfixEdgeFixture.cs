using System.Globalization;
using Clearinghouse.Api.V1;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// The edge as a mail provider runs it: the embedded host with a Postfix policy listener for provider acme (fail-open,
/// and a fail-closed one), the DNS blocklist on port 53 of a loopback address of its own, a real Postfix whose smtpd
/// services ask them, an SMTP sink that receives what Postfix relays (and the bounce notices), and a loopback DNS
/// server publishing SPF for <see cref="VerifiedDomain"/> (so that its senders are verified from 127.0.0.0/8).
/// </summary>
public sealed class PostfixEdgeFixture : IAsyncLifetime
{
    public const string IpZone = "ip.dnsbl.test";
    public const string DomainZone = "dbl.dnsbl.test";
    public const string AddressZone = "hbl.dnsbl.test";
    public const string VerifiedDomain = "verified.postfix.test";
    public const string NoticeFrom = "notices@clearinghouse.test";

    public SmtpSink Sink { get; private set; } = null!;

    public LoopbackDnsServer Spf { get; private set; } = null!;

    public ClearinghouseTestHost Host { get; private set; } = null!;

    public PostfixServer Postfix { get; private set; } = null!;

    /// <summary>Where the DNS blocklist answers (port 53).</summary>
    public string DnsAddress { get; } = string.Create(CultureInfo.InvariantCulture, $"127.53.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}");

    public int OpenListenerPort { get; } = FreePort.Next();

    public int ClosedListenerPort { get; } = FreePort.Next();

    /// <summary>A listener that admits only 10.0.0.0/8: a loopback client is closed at once.</summary>
    public int FencedListenerPort { get; } = FreePort.Next();

    public async Task InitializeAsync()
    {
        // xunit does not dispose a fixture whose start failed: stop what did start.
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Postfix is not null)
        {
            await Postfix.DisposeAsync();
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Spf is not null)
        {
            await Spf.DisposeAsync();
        }

        if (Sink is not null)
        {
            await Sink.DisposeAsync();
        }
    }

    private async Task StartAsync()
    {
        Sink = await SmtpSink.StartAsync();
        Spf = LoopbackDnsServer.Start().Txt(VerifiedDomain, "v=spf1 ip4:127.0.0.0/8 -all");
        var settings = Spf.Settings();
        foreach (var (name, port, mode) in new[] { ("open", OpenListenerPort, "Open"), ("closed", ClosedListenerPort, "Closed"), ("fenced", FencedListenerPort, "Open") })
        {
            settings[$"Clearinghouse:Policy:Listeners:{name}:Port"] = port.ToString(CultureInfo.InvariantCulture);
            settings[$"Clearinghouse:Policy:Listeners:{name}:Provider"] = "acme";
            settings[$"Clearinghouse:Policy:Listeners:{name}:WhenUnavailable"] = mode;
        }

        settings["Clearinghouse:Policy:Listeners:fenced:AllowedNetworks:0"] = "10.0.0.0/8";
        settings["Clearinghouse:Policy:IdleTimeout"] = "00:00:05";
        settings["Clearinghouse:Policy:BounceNotices:Host"] = "127.0.0.1";
        settings["Clearinghouse:Policy:BounceNotices:Port"] = Sink.Port.ToString(CultureInfo.InvariantCulture);
        settings["Clearinghouse:Policy:BounceNotices:Security"] = "None";
        settings["Clearinghouse:Policy:BounceNotices:From"] = NoticeFrom;
        settings["Clearinghouse:Dnsbl:Enabled"] = "true";
        settings["Clearinghouse:Dnsbl:Address"] = DnsAddress;
        settings["Clearinghouse:Dnsbl:Port"] = "53";
        settings["Clearinghouse:Dnsbl:IpZone"] = IpZone;
        settings["Clearinghouse:Dnsbl:DomainZone"] = DomainZone;
        settings["Clearinghouse:Dnsbl:AddressZone"] = AddressZone;
        settings["Clearinghouse:Dnsbl:NameServer"] = "ns.dnsbl.test";
        settings["Clearinghouse:Dnsbl:Hostmaster"] = "hostmaster.dnsbl.test";
        Host = await ClearinghouseTestHost.StartAsync(settings);

        string Policy(int port) => $"check_policy_service inet:127.0.0.1:{port}";
        var services = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            // The README's configuration.
            ["policy"] = new Dictionary<string, string>
            {
                ["smtpd_client_restrictions"] = Policy(OpenListenerPort),
                ["smtpd_recipient_restrictions"] = $"reject_unauth_destination, {Policy(OpenListenerPort)}",
            },
            // Client restrictions at CONNECT rather than at RCPT.
            ["connect"] = new Dictionary<string, string>
            {
                ["smtpd_delay_reject"] = "no",
                ["smtpd_client_restrictions"] = Policy(OpenListenerPort),
                ["smtpd_recipient_restrictions"] = $"reject_unauth_destination, {Policy(OpenListenerPort)}",
            },
            // Postfix's own DNSBL restrictions against the zones, without the policy service.
            ["dnsbl"] = new Dictionary<string, string>
            {
                ["smtpd_recipient_restrictions"] = $"reject_unauth_destination, reject_rbl_client {IpZone}, reject_rhsbl_sender {DomainZone}",
            },
        };
        Postfix = await PostfixServer.StartAsync(["relay_domains = acme.example, other.example"], services, Sink.Port, DnsAddress);
    }

    public async Task<ListEntryResponse> ListAsync(FilterEntryKind kind, string value, string reason = "test listing") =>
        await Host.Operator().ListEntryAsync(new ListEntryRequest { Kind = kind, Value = value, Reason = reason });

    public async Task UnlistAsync(FilterEntryKind kind, string value) =>
        await Host.Operator().UnlistEntryAsync(new UnlistEntryRequest { Kind = kind, Value = value });

    /// <summary>The messages the sink received that match, waiting up to <paramref name="timeout"/> for the first.</summary>
    public async Task<IReadOnlyList<MimeKit.MimeMessage>> WaitForMailAsync(Func<MimeKit.MimeMessage, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Sink.Messages().Where(match).ToList();
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostfixEdgeCollection : ICollectionFixture<PostfixEdgeFixture>
{
    public const string Name = "postfix edge";
}
