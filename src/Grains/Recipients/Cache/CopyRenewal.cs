using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>One copy in a batch of lease renewals: the recipient, the version the copy holds, and the hits it counted since its last report.</summary>
[GenerateSerializer, Immutable]
public sealed record CopyRenewal(
    [property: Id(0)] string RecipientKey,
    [property: Id(1)] RecipientSnapshotVersion Version,
    [property: Id(2)] RecordHitCount[]? Hits);
