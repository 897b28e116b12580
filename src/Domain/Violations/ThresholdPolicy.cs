namespace Clearinghouse.Domain;

/// <summary>The decision whether a sender's standing passes the thresholds in force.</summary>
public static class ThresholdPolicy
{
    public sealed record Decision(bool Escalate, string Reason);

    /// <summary>
    /// Absolute mode: the weighted count of distinct recipients must pass (exceed) the threshold. Ranked mode: the
    /// sender must have at least two distinct recipients and a score in the top 1/N of reported senders. Either way
    /// reports must come from at least <see cref="ThresholdSettings.MinimumProviders"/> distinct providers, so that
    /// one provider alone never lists a sender.
    /// </summary>
    public static Decision Decide(SenderStanding standing, RankingView view)
    {
        var settings = view.Settings;
        if (standing.DistinctProviders < settings.MinimumProviders)
        {
            return new(false, $"reported by {standing.DistinctProviders} provider(s); {settings.MinimumProviders} needed");
        }

        var counts = $"{standing.DistinctRecipients} distinct recipients (weighted {standing.WeightedRecipients:0.##}) at {standing.DistinctProviders} providers in the window";
        if (settings.Mode == ThresholdMode.Absolute)
        {
            return standing.WeightedRecipients > settings.AbsoluteThreshold
                ? new(true, $"{counts}: above the threshold of {settings.AbsoluteThreshold}")
                : new(false, $"{counts}: not above the threshold of {settings.AbsoluteThreshold}");
        }

        if (standing.DistinctRecipients < 2)
        {
            return new(false, $"{counts}: ranking needs at least 2 recipients");
        }

        var cutoff = view.CutoffFor(settings.RankDivisor);
        return cutoff is { } c && ScoreHistogram.Reaches(standing.WeightedRecipients, c)
            ? new(true, $"{counts}: in the top 1/{settings.RankDivisor} of {view.RankedSenders} reported senders (cutoff {c:0.##})")
            : new(false, $"{counts}: not in the top 1/{settings.RankDivisor} of reported senders");
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
