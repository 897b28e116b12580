namespace Clearinghouse.Domain;

/// <summary>
/// Which entry leaves a full list (configuration section <c>Clearinghouse:Recipients:Eviction</c>). The rules are
/// tried in order; the first that finds a candidate decides. When none does, the least hit entry goes (older ones
/// first), so that a new entry is always added.
/// </summary>
public sealed class EvictionOptions
{
    public static readonly EvictionRule[] DefaultRules =
    [
        EvictionRule.DuplicateInHigherLevelList,
        EvictionRule.LowestThreatLevel,
        EvictionRule.LeastFrequentlyHit,
    ];

    /// <summary>The rules in order; empty means <see cref="DefaultRules"/> (configuration binding appends to a non-empty default).</summary>
    public EvictionRule[] Rules { get; set; } = [];

    /// <summary>Entries younger than this are kept while an older candidate exists (a duplicate may go at any age).</summary>
    public TimeSpan MinimumAge { get; set; } = TimeSpan.FromDays(7);
}
