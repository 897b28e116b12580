namespace Clearinghouse.Domain;

/// <summary>Each silo's read cache of recipient snapshots (configuration section <c>Clearinghouse:RecipientCache</c>).</summary>
public sealed class RecipientCacheOptions
{
    public const string Section = "Clearinghouse:RecipientCache";

    /// <summary>Off: a check of a recipient whose grain lives on another silo is a grain call.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Recipients a silo caches (besides those whose grains it hosts); the least recently used go first.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// How long a cached snapshot may answer without hearing from its grain. A write waits at most this long (plus
    /// <see cref="LeaseMargin"/>) for a silo that does not confirm it has dropped its copy (frozen, killed, cut off), so
    /// it is short enough that such a write stays under 2 s; the price is a renewal about every half lease per copy in
    /// use, and a read from the grain for a copy used less often than that (docs/RECIPIENT-CACHE.md).
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>What the grain adds to a lease it grants, for clocks that run at slightly different rates.</summary>
    public TimeSpan LeaseMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a cache sends the hits each copy counted to the recipient's grain: with the copy's first lease renewal
    /// after this long, or by a call of their own for a copy not renewed meanwhile.
    /// </summary>
    public TimeSpan HitReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a cache sends the leases due for renewal (copies used with less than half their lease left), one batch
    /// per silo where their grains are active. Keep it well under half the lease.
    /// </summary>
    public TimeSpan RenewalBatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// For this long after a silo joined, left or died, a write tells every silo (not only those holding a copy), so that
    /// a second activation of the recipient that Orleans' directory let start meanwhile stops answering from its older
    /// snapshot (docs/RECIPIENT-CACHE.md).
    /// </summary>
    public TimeSpan TellEverySiloAfterMembershipChange { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Off: each lease is renewed by its own read from the recipient's grain (the protocol before batches; for comparison).</summary>
    public bool BatchRenewals { get; set; } = true;
}
