using Clearinghouse.Domain;

namespace Clearinghouse.Contracts;

/// <summary>
/// A recipient's grain's answer to a silo's read cache: the snapshot (null when the cache already holds
/// <see cref="Version"/>) and a lease: the cache may answer from it for <see cref="Lease"/>, counted from when it sent
/// the read, unless the grain invalidates it first. <see cref="GrainSilo"/> is where the grain is active: the cache
/// renews its lease there, in a batch with the other copies whose grains live on that silo.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CachedRead(
    [property: Id(0)] RecipientSnapshotVersion Version,
    [property: Id(1)] RecipientSnapshotData? Snapshot,
    [property: Id(2)] TimeSpan Lease,
    [property: Id(3)] SiloAddress GrainSilo);
