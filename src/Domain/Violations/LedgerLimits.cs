namespace Clearinghouse.Domain;

/// <summary>How a <see cref="ViolationLedger"/> counts and what it keeps.</summary>
/// <param name="Window">The sliding window reports count in (hourly buckets).</param>
/// <param name="HalfLife">A report's weight halves every half-life of its age.</param>
/// <param name="MaxEvidence">Reports kept as evidence (one per recipient, newest kept).</param>
/// <param name="KeyRetention">How long after it arrived a report's key is remembered (a redelivery is recognised).</param>
/// <param name="MaxEntries">At most this many reports are remembered; the oldest are forgotten first.</param>
public sealed record LedgerLimits(TimeSpan Window, TimeSpan HalfLife, int MaxEvidence, TimeSpan KeyRetention, int MaxEntries);
