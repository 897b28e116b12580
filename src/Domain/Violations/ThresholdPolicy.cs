namespace Clearinghouse.Domain;

/// <summary>The decision whether a sender's standing passes the thresholds in force.</summary>
public static class ThresholdPolicy
{
    public sealed record Decision(bool Escalate, string Reason);

    /// <summary>
    /// Absolute mode: the weighted count of distinct recipients must pass (exceed) the threshold. Ranked mode: the same
    /// threshold is a floor that must be passed too, and the sender's score must reach the cutoff of the top 1/N of
    /// reported senders, but only a cutoff that means something: from a population of at least
    /// <see cref="RankingBounds.MinimumPopulation"/> ranked senders, merged from every shard no longer than
    /// <see cref="RankingBounds.MaxCutoffAge"/> ago. Either way reports must come from at least
    /// <see cref="ThresholdSettings.MinimumProviders"/> distinct providers, so that one provider alone never lists a sender.
    /// </summary>
    public static Decision Decide(SenderStanding standing, RankingView view, DateTimeOffset now, RankingBounds bounds)
    {
        var settings = view.Settings;
        if (standing.DistinctProviders < settings.MinimumProviders)
        {
            return new(false, $"reported by {standing.DistinctProviders} provider(s); {settings.MinimumProviders} needed");
        }

        var counts = $"{standing.DistinctRecipients} distinct recipients (weighted {standing.WeightedRecipients:0.##}) at {standing.DistinctProviders} providers in the window";
        var aboveFloor = standing.WeightedRecipients > settings.AbsoluteThreshold;
        if (settings.Mode == ThresholdMode.Absolute)
        {
            return aboveFloor
                ? new(true, $"{counts}: above the threshold of {settings.AbsoluteThreshold}")
                : new(false, $"{counts}: not above the threshold of {settings.AbsoluteThreshold}");
        }

        if (!aboveFloor)
        {
            return new(false, $"{counts}: not above the absolute floor of {settings.AbsoluteThreshold}");
        }

        var divisor = settings.RankDivisor;
        var population = bounds.MinimumPopulation(divisor);
        if (view.RankedSenders < population)
        {
            return new(false, $"{counts}: {view.RankedSenders} reported senders are too few for a top 1/{divisor} (at least {population})");
        }

        if (view.CutoffsAt is not { } at || now - at > bounds.MaxCutoffAge)
        {
            var age = view.CutoffsAt is { } computed ? $"cutoffs of {computed:u}" : "not every shard merged yet";
            return new(false, $"{counts}: the ranking is not current ({age}; at most {bounds.MaxCutoffAge} old, from every shard)");
        }

        var cutoff = view.CutoffFor(divisor);
        return cutoff is { } c && ScoreHistogram.Reaches(standing.WeightedRecipients, c)
            ? new(true, $"{counts}: above the floor of {settings.AbsoluteThreshold} and in the top 1/{divisor} of {view.RankedSenders} reported senders (cutoff {c:0.##})")
            : new(false, $"{counts}: not in the top 1/{divisor} of reported senders");
    }

    /// <summary>
    /// A recurrence (a sender reported again within the recurrence period after its listing <paramref name="ended"/>):
    /// new reports from the minimum number of distinct providers list it again, whatever the mode.
    /// </summary>
    public static Decision DecideRecurrence(SenderStanding standing, RankingView view, string ended)
    {
        var needed = view.Settings.MinimumProviders;
        return standing.DistinctProviders >= needed
            ? new(true, $"{standing.DistinctRecipients} distinct recipients at {standing.DistinctProviders} providers since the listing {ended}: reported again within the recurrence period")
            : new(false, $"reported again by {standing.DistinctProviders} provider(s) since the listing {ended}; {needed} needed to list it again");
    }
}
