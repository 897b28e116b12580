namespace Clearinghouse.Domain;

/// <summary>
/// What one recipient grain activation has published, shared with its silo: the <see cref="RecipientChecks"/>, the
/// snapshot's version, and the <see cref="CacheLeases{THolder}"/> on copies of it held by other silos. The grain
/// publishes and invalidates; the silo's cache service renews leases in batches without a grain call
/// (<see cref="TryRenew"/>). Version and leases change under one lock, so a lease is never renewed on a version that a
/// write has already superseded (that write's invalidation would miss it), nor after the activation closed (its
/// successor only waits out leases granted before it was activated). Thread-safe.
/// </summary>
public sealed class PublishedRecipient<THolder>(RecipientChecks checks, CacheLeases<THolder> leases, Guid activation)
    where THolder : notnull
{
    private readonly Lock gate = new();
    private RecipientSnapshotVersion version = new(activation, 0);
    private List<HitReport> carried = [];
    private bool closed;
    private volatile bool superseded;

    public RecipientChecks Checks => checks;

    public RecipientSnapshotVersion Version
    {
        get
        {
            lock (gate)
            {
                return version;
            }
        }
    }

    /// <summary>Publishes the snapshot of a persisted change under a new version.</summary>
    public void Publish(RecipientSnapshot snapshot)
    {
        lock (gate)
        {
            version = version with { Sequence = version.Sequence + 1 };
            checks.Publish(snapshot);
        }
    }

    /// <summary>
    /// Grants <paramref name="holder"/> a lease from <paramref name="now"/> on the current version, and returns it with
    /// its snapshot (none when <paramref name="known"/> is current).
    /// </summary>
    public (RecipientSnapshotVersion Version, RecipientSnapshotData? Snapshot) Grant(THolder holder, RecipientSnapshotVersion? known, long now)
    {
        lock (gate)
        {
            leases.Grant(holder, now);
            return (version, version.Equals(known) ? null : checks.Snapshot.ToData());
        }
    }

    /// <summary>
    /// Renews <paramref name="holder"/>'s lease from <paramref name="now"/> if it holds the current version, and keeps
    /// the report of hits it counted for the grain (<see cref="TakeCarriedReports"/>), unless closed: then the holder
    /// keeps them and sends them to the grain.
    /// </summary>
    public LeaseRenewal TryRenew(THolder holder, RecipientSnapshotVersion known, HitReport? hits, long now)
    {
        lock (gate)
        {
            if (closed)
            {
                return LeaseRenewal.Gone;
            }

            if (hits is { Hits.Length: > 0 })
            {
                carried.Add(hits);
            }

            if (!version.Equals(known))
            {
                return LeaseRenewal.Superseded;
            }

            leases.Grant(holder, now);
            return LeaseRenewal.Renewed;
        }
    }

    /// <summary>
    /// The hit reports renewals carried since the last take, whole and with their ids: the grain counts each id once, so
    /// a report that a holder sends again by a grain call (its renewal's answer was lost) is not counted twice.
    /// </summary>
    public List<HitReport> TakeCarriedReports()
    {
        lock (gate)
        {
            if (carried.Count == 0)
            {
                return [];
            }

            var taken = carried;
            carried = [];
            return taken;
        }
    }

    /// <inheritdoc cref="CacheLeases{THolder}.ToInvalidate"/>
    public List<(THolder Holder, long WaitUntil)> ToInvalidate(long now, IEnumerable<THolder> silos, bool everySilo = false)
    {
        lock (gate)
        {
            return leases.ToInvalidate(now, silos, everySilo);
        }
    }

    /// <inheritdoc cref="CacheLeases{THolder}.Invalidated"/>
    public void Invalidated(THolder holder)
    {
        lock (gate)
        {
            leases.Invalidated(holder);
        }
    }

    /// <summary>
    /// True once another activation of the recipient published a write: this one's snapshot and state are older than
    /// what storage holds, so it answers nothing more and deactivates (see <see cref="Supersede"/>).
    /// </summary>
    public bool IsSuperseded => superseded;

    /// <summary>
    /// Another activation of the recipient (two at once: Orleans' directory allows that briefly around a membership
    /// change) published a write: this activation is closed, its checks retired, and it refuses its next calls.
    /// </summary>
    public void Supersede()
    {
        superseded = true;
        Close();
        checks.Retire();
    }

    /// <summary>The activation is deactivating: no lease is renewed and no hit is added from now on.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
        }
    }
}
