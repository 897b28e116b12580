namespace Clearinghouse.Domain;

/// <summary>Who receives escalation reports and how delivery is retried (configuration section <c>Clearinghouse:Escalation</c>).</summary>
public sealed class EscalationOptions
{
    public const string Section = "Clearinghouse:Escalation";

    /// <summary>Destinations by name; the name is part of each delivery's idempotency key.</summary>
    public Dictionary<string, EscalationDestination> Destinations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The wait before the first retry; each later retry waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a delivery is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>The period of the outbox's reminder, which resumes deliveries after a restart.</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one delivery attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Names the reporter in ARF reports (User-Agent) and webhooks.</summary>
    public string ReporterName { get; set; } = "Clearinghouse";
}

/// <summary>Who a destination is; a <see cref="ReportingProvider"/> destination receives only cases its provider reported in.</summary>
public enum DestinationKind
{
    LawEnforcement,
    StateAuthority,
    FederalAuthority,
    SenderIsp,
    ReportingProvider,
}

public sealed class EscalationDestination
{
    public DestinationKind Kind { get; set; }

    /// <summary>For <see cref="DestinationKind.ReportingProvider"/>: the provider id.</summary>
    public string? Provider { get; set; }

    /// <summary>What this destination receives; unset means <see cref="DefaultDisclosure"/> of its kind.</summary>
    public DisclosureLevel? Disclosure { get; set; }

    public DisclosureLevel DisclosureLevel => Disclosure ?? DefaultDisclosure(Kind);

    /// <summary>
    /// Authorities and the reporting providers (who see only their own evidence) get everything; a sender's ISP, which
    /// may be close to the sender, the messages but not who reported them.
    /// </summary>
    public static DisclosureLevel DefaultDisclosure(DestinationKind kind) =>
        kind == DestinationKind.SenderIsp ? DisclosureLevel.Messages : DisclosureLevel.Full;

    /// <summary>Set exactly one of <see cref="Webhook"/> and <see cref="Email"/>.</summary>
    public WebhookSettings? Webhook { get; set; }

    public ArfMailSettings? Email { get; set; }

    public string Transport => Webhook is not null ? "webhook" : "arf-email";

    /// <summary>What is wrong with the settings, if anything.</summary>
    public string? Problem()
    {
        if ((Webhook is null) == (Email is null))
        {
            return "set exactly one of Webhook and Email";
        }

        if (Kind == DestinationKind.ReportingProvider && string.IsNullOrWhiteSpace(Provider))
        {
            return "a ReportingProvider destination needs Provider";
        }

        if (Disclosure is { } level && !Enum.IsDefined(level))
        {
            return "Disclosure must be Counts, Messages or Full";
        }

        if (Webhook is { } webhook)
        {
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                return "Webhook:Url is not an http(s) URL";
            }

            if (string.IsNullOrEmpty(webhook.Secret) || webhook.Secret.Length < 16)
            {
                return "Webhook:Secret must be at least 16 characters";
            }
        }

        if (Email is { } email && (string.IsNullOrWhiteSpace(email.Host) || string.IsNullOrWhiteSpace(email.From) || string.IsNullOrWhiteSpace(email.To)))
        {
            return "Email needs Host, From and To";
        }

        return null;
    }
}

public sealed class WebhookSettings
{
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key the body is signed with (shared with the receiver).</summary>
    public string Secret { get; set; } = "";
}

/// <summary>An ARF report's relay (see <see cref="SmtpRelaySettings"/>) and its recipient.</summary>
public sealed class ArfMailSettings : SmtpRelaySettings
{
    /// <summary>The recipient; <c>{sender_domain}</c> is replaced by the sender's domain (e.g. <c>abuse@{sender_domain}</c>).</summary>
    public string To { get; set; } = "";
}
