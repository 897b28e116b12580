namespace Clearinghouse.Gateway;

/// <summary>Grace periods of do-not-send requests (configuration section <c>Clearinghouse:DoNotSend</c>).</summary>
public sealed class DoNotSendOptions
{
    public const string Section = "Clearinghouse:DoNotSend";

    /// <summary>How long a sender has to comply after a request: 48 hours, the large mailbox providers' rule.</summary>
    public TimeSpan DefaultGracePeriod { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Per-provider grace periods by provider id, overriding the default.</summary>
    public Dictionary<string, TimeSpan> ProviderGracePeriods { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan GracePeriodFor(string providerId) => ProviderGracePeriods.GetValueOrDefault(providerId, DefaultGracePeriod);
}
