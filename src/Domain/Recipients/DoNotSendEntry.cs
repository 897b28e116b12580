namespace Clearinghouse.Domain;

/// <summary>A stored do-not-send request with the violations recorded against it (part of <see cref="RecipientState"/>).</summary>
[GenerateSerializer]
public sealed class DoNotSendEntry
{
    [Id(0)]
    public DoNotSendRequest Request { get; set; } = null!;

    /// <summary>Keys of the messages already recorded as violations, newest last, bounded.</summary>
    [Id(1)]
    public List<string> RecordedMessages { get; set; } = [];

    [Id(2)]
    public int Violations { get; set; }

    [Id(3)]
    public DateTimeOffset? LastViolationAt { get; set; }
}
