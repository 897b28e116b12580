namespace Clearinghouse.Domain;

/// <summary>
/// What the gateway tells a recipient grain about the provider that owns it when its list changes: the provider
/// (whose list is a higher-level list for eviction) and the provider's default maximum list size, if it set one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ListPolicy(
    [property: Id(0)] string? ProviderId,
    [property: Id(1)] int? ProviderMaxRecords);

/// <summary>A recipient's list sizes: the maximum in force, the recipient's own override, and what is stored.</summary>
[GenerateSerializer, Immutable]
public sealed record ListInfo(
    [property: Id(0)] int MaxRecords,
    [property: Id(1)] int? MaxRecordsOverride,
    [property: Id(2)] int BlockingRecords,
    [property: Id(3)] int AllowRecords,
    [property: Id(4)] int SecondaryRecords,
    [property: Id(5)] int SecondaryMaxRecords);

/// <summary>Why an entry was evicted from a full list.</summary>
public enum EvictionRule
{
    /// <summary>The same sender is blocked by a higher-level list (the provider's list, the global filter list).</summary>
    DuplicateInHigherLevelList = 0,

    /// <summary>Among entries older than the minimum age, the lowest threat level.</summary>
    LowestThreatLevel = 1,

    /// <summary>Among entries older than the minimum age, the lowest decayed hit rate.</summary>
    LeastFrequentlyHit = 2,

    /// <summary>No configured rule found a candidate (every entry is younger than the minimum age): the least hit of all.</summary>
    Fallback = 3,
}

/// <summary>An entry moved from a full list to the recipient's secondary list, with its statistics when it left.</summary>
[GenerateSerializer, Immutable]
public sealed record EvictedRecord(
    [property: Id(0)] BlockingRecord Record,
    [property: Id(1)] DateTimeOffset EvictedAt,
    [property: Id(2)] EvictionRule Rule,
    [property: Id(3)] long HitCount,
    [property: Id(4)] double DecayedHitRate);

public static class ListLimits
{
    /// <summary>The largest maximum list size a provider or recipient may set.</summary>
    public const int MaxRecords = 100_000;
}
