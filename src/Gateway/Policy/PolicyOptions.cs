using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Policy;

/// <summary>The Postfix policy delegation listeners (configuration section <c>Clearinghouse:Policy</c>). None by default.</summary>
public sealed class PolicyOptions
{
    public const string Section = "Clearinghouse:Policy";

    /// <summary>Listeners by name; each serves one provider (the protocol carries no credential).</summary>
    public Dictionary<string, PolicyListenerOptions> Listeners { get; set; } = new(StringComparer.Ordinal);

    public int MaxLineBytes { get; set; } = 2048;

    public int MaxAttributes { get; set; } = 100;

    public int MaxRequestBytes { get; set; } = 16384;

    /// <summary>Connections open at once over all listeners; a connection beyond it is closed at once.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// A connection with no request for this long is closed. Postfix closes an idle policy connection after 300 s
    /// (<c>smtpd_policy_service_max_idle</c>) and any after 1,000 s, so this is longer.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(600);

    public BounceNoticeOptions BounceNotices { get; set; } = new();

    public PolicyLimits Limits => new(MaxLineBytes, MaxAttributes, MaxRequestBytes);
}

public sealed class PolicyListenerOptions
{
    /// <summary>The address to listen on: loopback unless Postfix runs on another host.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; }

    /// <summary>The provider (<c>Clearinghouse:Providers:&lt;id&gt;</c>) whose recipients and maps this listener serves.</summary>
    public string Provider { get; set; } = "";

    /// <summary>Client networks allowed to connect (CIDR or addresses); others are closed at once. Loopback by default.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>What to answer when the cluster cannot answer within <see cref="TimeBudget"/>.</summary>
    public PolicyFailureMode WhenUnavailable { get; set; } = PolicyFailureMode.Open;

    /// <summary>How long one request may wait for the cluster; well under Postfix's 100 s policy timeout.</summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Answer <c>OK</c> for a recipient's allow record (else <c>DUNNO</c>); see the README before turning it on.</summary>
    public bool AllowRecordsAnswerOk { get; set; }

    public IReadOnlyList<IpPrefix> ParseAllowedNetworks(string name)
    {
        if (AllowedNetworks.Count == 0)
        {
            return [new IpPrefix(System.Net.IPAddress.Loopback, 8), new IpPrefix(System.Net.IPAddress.IPv6Loopback, 128)];
        }

        return AllowedNetworks.Select(text => IpPrefix.TryParse(text, out var prefix, out var problem)
            ? prefix
            : throw new InvalidOperationException($"{PolicyOptions.Section}:Listeners:{name}:AllowedNetworks: {problem}")).ToList();
    }
}

/// <summary>
/// Notices to verified senders whose message a bounce record dropped (<c>Clearinghouse:Policy:BounceNotices</c>), sent
/// with MailKit through a relay. Off while <see cref="Host"/> is empty (the message is still discarded).
/// </summary>
public sealed class BounceNoticeOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTlsWhenAvailable;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The notice's From address (its envelope sender is the null sender, as for any delivery notice).</summary>
    public string From { get; set; } = "";

    /// <summary>At most this many notices a minute from this gateway; more are dropped (and logged).</summary>
    public int MaxPerMinute { get; set; } = 60;

    /// <summary>At most one notice per sender address in this period.</summary>
    public TimeSpan PerSenderInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Notices waiting to be sent; more are dropped.</summary>
    public int QueueLength { get; set; } = 1000;
}
