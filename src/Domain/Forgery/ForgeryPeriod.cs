namespace Clearinghouse.Domain;

/// <summary>One open period of a forged domain's aggregate.</summary>
[GenerateSerializer]
public sealed class ForgeryPeriod
{
    [Id(0)]
    public DateTimeOffset Start { get; set; }

    [Id(1)]
    public long Count { get; set; }

    [Id(2)]
    public long SpfFailures { get; set; }

    [Id(3)]
    public long DmarcFailures { get; set; }

    /// <summary>The counted reports' keys, as the first 8 bytes of their SHA-256 (bounded by <see cref="ForgeryOptions.MaxRememberedKeys"/>).</summary>
    [Id(4)]
    public HashSet<long> Keys { get; set; } = [];

    /// <summary>The latest forged reports, oldest first.</summary>
    [Id(5)]
    public List<ForgedViolation> Samples { get; set; } = [];
}
