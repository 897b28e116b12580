namespace Clearinghouse.Domain;

public enum ThresholdMode
{
    /// <summary>Escalate when the weighted count of distinct recipients passes <see cref="ThresholdSettings.AbsoluteThreshold"/>.</summary>
    Absolute = 0,

    /// <summary>Escalate when the sender ranks in the top 1/<see cref="ThresholdSettings.RankDivisor"/> of reported senders.</summary>
    Ranked = 1,
}

/// <summary>
/// When a sender escalates. Whatever the mode, reports must come from at least <see cref="MinimumProviders"/>
/// distinct providers (at least 2), so that one provider alone can never list a sender.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ThresholdSettings(
    [property: Id(0)] ThresholdMode Mode,
    [property: Id(1)] int AbsoluteThreshold,
    [property: Id(2)] int RankDivisor,
    [property: Id(3)] int MinimumProviders)
{
    public static readonly int[] RankDivisors = [100, 500, 1000];

    public static readonly ThresholdSettings Default = new(ThresholdMode.Absolute, 5, 100, 2);

    /// <summary>Checks settings an operator asks for; names the field at fault.</summary>
    public ThresholdSettings Validated()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new InvalidFieldException("mode", "is not a known mode");
        }

        if (AbsoluteThreshold < 2)
        {
            throw new InvalidFieldException("absolute_threshold", "must be at least 2: one recipient's report alone never escalates a sender");
        }

        if (!RankDivisors.Contains(RankDivisor))
        {
            throw new InvalidFieldException("rank_divisor", "must be 100, 500 or 1000 (top 1/100, 1/500 or 1/1000 of reported senders)");
        }

        if (MinimumProviders is < 2 or > 100)
        {
            throw new InvalidFieldException("minimum_providers", "must be between 2 and 100: one provider alone cannot list a sender");
        }

        return this;
    }
}

/// <summary>
/// What a sender's grain needs to decide: the settings in force and, for ranked mode, the lowest score that is still
/// in the top 1/100, 1/500 and 1/1000 of reported senders (null while no sender is ranked), and when the oldest
/// shard histogram they were merged from arrived (null until every shard has sent one).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RankingView(
    [property: Id(0)] ThresholdSettings Settings,
    [property: Id(1)] long RankedSenders,
    [property: Id(2)] double? Top100Cutoff,
    [property: Id(3)] double? Top500Cutoff,
    [property: Id(4)] double? Top1000Cutoff,
    [property: Id(5)] DateTimeOffset? CutoffsAt = null)
{
    public static readonly RankingView Initial = new(ThresholdSettings.Default, 0, null, null, null);

    public double? CutoffFor(int divisor) => divisor switch
    {
        100 => Top100Cutoff,
        500 => Top500Cutoff,
        1000 => Top1000Cutoff,
        _ => null,
    };
}
