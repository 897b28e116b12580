using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Recipients.Cache;

/// <summary>The answer to a batch of <see cref="CopyRenewal"/>s: the lease granted to each renewed copy, and each copy's outcome, in order.</summary>
[GenerateSerializer, Immutable]
public sealed record RenewedLeases(
    [property: Id(0)] TimeSpan Lease,
    [property: Id(1)] LeaseRenewal[] Outcomes);
