namespace Clearinghouse.Domain;

/// <summary>
/// A recipient's snapshot as it crosses to another silo's read cache: the records, the secondary-list entries that
/// flag, and the keys (sender and channel) of its do-not-send requests. Only what decides a check; hit statistics stay
/// with the grain.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RecipientSnapshotData(
    [property: Id(0)] BlockingRecord[] Records,
    [property: Id(1)] BlockingRecord[] Secondary,
    [property: Id(2)] string[] DoNotSendKeys);
