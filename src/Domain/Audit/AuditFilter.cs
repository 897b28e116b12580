namespace Clearinghouse.Domain;

/// <summary>
/// Which entries an operator asks for: each given criterion must hold. <see cref="Action"/> matches an action or,
/// as a dotted prefix, every action under it (<c>delisting</c> matches <c>delisting.request</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditFilter(
    [property: Id(0)] string? Actor = null,
    [property: Id(1)] string? Action = null,
    [property: Id(2)] string? Target = null,
    [property: Id(3)] DateTimeOffset? Since = null,
    [property: Id(4)] DateTimeOffset? Until = null)
{
    public static readonly AuditFilter All = new();

    public bool Matches(AuditEntry entry)
    {
        var e = entry.Event;
        return (Actor is null || e.Actor == Actor)
            && (Action is null || e.Action == Action || (e.Action.StartsWith(Action, StringComparison.Ordinal) && e.Action.Length > Action.Length && e.Action[Action.Length] == '.'))
            && (Target is null || e.Target == Target)
            && (Since is null || entry.At >= Since)
            && (Until is null || entry.At < Until);
    }
}

/// <summary>What one segment holds of a query: matching entries, newest first, and whether it holds more below the last.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditSegmentRead(
    [property: Id(0)] IReadOnlyList<AuditEntry> Entries,
    [property: Id(1)] bool More,
    [property: Id(2)] DateTimeOffset? OldestAt);

/// <summary>Where the trail stands: segments <see cref="Oldest"/> to <see cref="Current"/> (inclusive) hold entries.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditHead(
    [property: Id(0)] int SegmentSize,
    [property: Id(1)] long Oldest,
    [property: Id(2)] long Current)
{
    /// <summary>The segment an entry's sequence number falls in (sequences start at 1).</summary>
    public long SegmentOf(long sequence) => (sequence - 1) / SegmentSize;

    public long FirstSequenceOf(long segment) => (segment * SegmentSize) + 1;
}

/// <summary>One page of the trail, newest first; <see cref="NextBefore"/> continues below it (null: nothing older).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore);
