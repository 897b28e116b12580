namespace Clearinghouse.Domain;

/// <summary>
/// Something someone did that operators must be able to read back: who (<see cref="Actor"/>), did what
/// (<see cref="Action"/>), to what (<see cref="Target"/>), why (<see cref="Reason"/>), with the particulars in
/// <see cref="Details"/>. The trail stamps when and a sequence number (<see cref="AuditEntry"/>). Texts are cut to
/// bounded lengths and stripped of line breaks, so that one entry stays small whatever a caller wrote.
/// <see cref="EventId"/> makes appending idempotent: an event handed on again after a failed write is recorded once.
/// An event that its maker may build again after a crash (rather than store) takes an id derived from what it records.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditEvent(
    [property: Id(0)] string Actor,
    [property: Id(1)] string Action,
    [property: Id(2)] string Target,
    [property: Id(3)] string Reason,
    [property: Id(4)] IReadOnlyDictionary<string, string> Details,
    [property: Id(5)] string EventId)
{
    public const int MaxTextLength = 450;
    public const int MaxDetails = 24;

    /// <summary>An event with bounded texts; <paramref name="eventId"/> is its idempotency key (a new random one when null).</summary>
    public static AuditEvent Create(string actor, string action, string target, string? reason = null, IEnumerable<KeyValuePair<string, string>>? details = null, string? eventId = null) =>
        new(
            Bounded(actor),
            Bounded(action),
            Bounded(target),
            Bounded(reason ?? ""),
            (details ?? []).Take(MaxDetails).ToDictionary(d => Bounded(d.Key), d => Bounded(d.Value), StringComparer.Ordinal),
            eventId ?? Guid.NewGuid().ToString("N"));

    private static string Bounded(string text)
    {
        var oneLine = string.Concat(text.Where(c => !char.IsControl(c))).Trim();
        return oneLine.Length <= MaxTextLength ? oneLine : oneLine[..MaxTextLength];
    }
}

/// <summary>One entry of the audit trail: an <see cref="AuditEvent"/>, when it was recorded and its place in the trail.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] AuditEvent Event);
