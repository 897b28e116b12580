namespace Clearinghouse.Domain;

/// <summary>An entry of a full list that might be evicted, with what the rules look at.</summary>
public readonly record struct EvictionCandidate(BlockingRecord Record, double DecayedHitRate, bool DuplicatedInHigherLevelList);

/// <summary>
/// Chooses the entry to evict from a full list (seed 003): an entry duplicated by a higher-level list; among entries
/// older than the minimum age, the lowest threat level; the least frequently hit, by a decayed hit rate so that an
/// early burst does not keep an entry forever. Ties go to the lower rate, then the lower threat level, then the oldest.
/// The rule returned is the criterion that decided: an entry chosen by hit rate among several with the lowest threat
/// level is labelled <see cref="EvictionRule.LeastFrequentlyHit"/>, and the other way round.
/// </summary>
public sealed class EvictionPolicy(IReadOnlyList<EvictionRule> rules, TimeSpan minimumAge)
{
    public IReadOnlyList<EvictionRule> Rules { get; } = rules;

    public TimeSpan MinimumAge { get; } = minimumAge;

    public static EvictionPolicy From(EvictionOptions options) =>
        new((options.Rules.Length > 0 ? options.Rules : EvictionOptions.DefaultRules).Distinct().ToArray(), options.MinimumAge);

    /// <summary>The entry to evict from <paramref name="candidates"/> (not empty) and the rule that chose it.</summary>
    public (BlockingRecord Victim, EvictionRule Rule) SelectVictim(IReadOnlyList<EvictionCandidate> candidates, DateTimeOffset now)
    {
        if (candidates.Count == 0)
        {
            throw new ArgumentException("a full list has at least one entry", nameof(candidates));
        }

        var oldEnough = candidates.Where(c => now - c.Record.CreatedAt >= MinimumAge).ToList();
        foreach (var rule in Rules)
        {
            var pool = rule switch
            {
                EvictionRule.DuplicateInHigherLevelList => candidates.Where(c => c.DuplicatedInHigherLevelList).ToList(),
                EvictionRule.LowestThreatLevel or EvictionRule.LeastFrequentlyHit => oldEnough,
                _ => [],
            };
            if (Best(pool, rule) is { } victim)
            {
                return (victim.Record, Decided(victim, pool, rule));
            }
        }

        var fallback = Best(oldEnough.Count > 0 ? oldEnough : candidates, EvictionRule.Fallback)!.Value;
        return (fallback.Record, EvictionRule.Fallback);
    }

    /// <summary>
    /// Which criterion separated <paramref name="victim"/> from the next candidate of <paramref name="rule"/>'s pool:
    /// the rule's own, or (threat level and hit rate being each other's tie-breakers) the other one. A tie on both is
    /// broken by age and keeps the rule's label.
    /// </summary>
    private static EvictionRule Decided(EvictionCandidate victim, List<EvictionCandidate> pool, EvictionRule rule)
    {
        if (rule is not (EvictionRule.LowestThreatLevel or EvictionRule.LeastFrequentlyHit)
            || Best(pool.Where(c => c.Record.Id != victim.Record.Id), rule) is not { } runnerUp)
        {
            return rule;
        }

        var sameThreat = victim.Record.ThreatLevel == runnerUp.Record.ThreatLevel;
        var sameRate = victim.DecayedHitRate.Equals(runnerUp.DecayedHitRate);
        return rule switch
        {
            EvictionRule.LowestThreatLevel when sameThreat && !sameRate => EvictionRule.LeastFrequentlyHit,
            EvictionRule.LeastFrequentlyHit when sameRate && !sameThreat => EvictionRule.LowestThreatLevel,
            _ => rule,
        };
    }

    private static EvictionCandidate? Best(IEnumerable<EvictionCandidate> pool, EvictionRule rule)
    {
        EvictionCandidate? best = null;
        foreach (var candidate in pool)
        {
            if (best is null || Compare(candidate, best.Value, rule) < 0)
            {
                best = candidate;
            }
        }

        return best;
    }

    private static int Compare(EvictionCandidate a, EvictionCandidate b, EvictionRule rule)
    {
        var byThreat = a.Record.ThreatLevel.CompareTo(b.Record.ThreatLevel);
        var byRate = a.DecayedHitRate.CompareTo(b.DecayedHitRate);
        var first = rule == EvictionRule.LowestThreatLevel ? byThreat : byRate;
        var second = rule == EvictionRule.LowestThreatLevel ? byRate : byThreat;
        return first != 0 ? first
            : second != 0 ? second
            : a.Record.CreatedAt != b.Record.CreatedAt ? a.Record.CreatedAt.CompareTo(b.Record.CreatedAt)
            : string.CompareOrdinal(a.Record.Id, b.Record.Id);
    }
}
