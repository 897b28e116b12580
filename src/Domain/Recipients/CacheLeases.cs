namespace Clearinghouse.Domain;

/// <summary>
/// A recipient grain's record of which silos may answer from a copy of its snapshot, and until when, in the grain's
/// monotonic clock (timestamps of a <see cref="TimeProvider"/>). A holder counts its lease from when it sent its read,
/// before the grant, so the grain's expiry (counted from the grant, plus a margin) is never earlier than the holder's.
/// An activation does not know what its predecessor granted: until <see cref="HoldersUnknownUntil"/> every silo is
/// a possible holder. Not thread-safe (the grain's).
/// </summary>
public sealed class CacheLeases<THolder>(long activatedAt, long leaseTicks, long marginTicks)
    where THolder : notnull
{
    private readonly Dictionary<THolder, long> expiries = [];

    /// <summary>Until then a predecessor's leases may still run: a write invalidates every silo.</summary>
    public long HoldersUnknownUntil { get; } = activatedAt + leaseTicks + marginTicks;

    public int Count => expiries.Count;

    /// <summary>Grants <paramref name="holder"/> a lease from <paramref name="now"/>.</summary>
    public void Grant(THolder holder, long now) => expiries[holder] = now + leaseTicks + marginTicks;

    /// <summary>
    /// The silos to invalidate before a write made at <paramref name="now"/> is acknowledged, each with the time after
    /// which it no longer matters whether it answered (its lease has run out): the holders with a running lease, and
    /// while holders are unknown, every other silo in <paramref name="silos"/>. With <paramref name="everySilo"/> (shortly
    /// after a membership change, when another activation of the recipient may be active elsewhere) every silo in
    /// <paramref name="silos"/> is told too; one that does not answer is waited for no longer than a lease.
    /// </summary>
    public List<(THolder Holder, long WaitUntil)> ToInvalidate(long now, IEnumerable<THolder> silos, bool everySilo = false)
    {
        var unknown = now < HoldersUnknownUntil;
        var targets = new List<(THolder, long)>();
        foreach (var (holder, expiry) in expiries.ToList())
        {
            if (expiry <= now)
            {
                expiries.Remove(holder);
            }
            else
            {
                targets.Add((holder, unknown ? Math.Max(expiry, HoldersUnknownUntil) : expiry));
            }
        }

        if (unknown || everySilo)
        {
            var until = unknown ? HoldersUnknownUntil : now + leaseTicks + marginTicks;
            foreach (var silo in silos)
            {
                if (!expiries.ContainsKey(silo))
                {
                    targets.Add((silo, until));
                }
            }
        }

        return targets;
    }

    /// <summary><paramref name="holder"/> confirmed that it dropped its copy: it holds no lease until it reads again.</summary>
    public void Invalidated(THolder holder) => expiries.Remove(holder);
}
