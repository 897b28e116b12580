namespace Clearinghouse.Domain;

/// <summary>Which published snapshot of a recipient a cache holds: the grain activation that published it, and its sequence there.</summary>
[GenerateSerializer, Immutable]
public sealed record RecipientSnapshotVersion([property: Id(0)] Guid Activation, [property: Id(1)] long Sequence);

/// <summary>
/// A recipient's grain's answer to a silo's read cache: the snapshot (null when the cache already holds
/// <see cref="Version"/>) and a lease: the cache may answer from it for <see cref="Lease"/>, counted from when it sent
/// the read, unless the grain invalidates it first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CachedRead(
    [property: Id(0)] RecipientSnapshotVersion Version,
    [property: Id(1)] RecipientSnapshotData? Snapshot,
    [property: Id(2)] TimeSpan Lease);
