namespace Clearinghouse.Domain;

/// <summary>A reported sender and its score (weighted distinct recipients, decayed to the moment it was read).</summary>
[GenerateSerializer, Immutable]
public sealed record RankedSender([property: Id(0)] string Sender, [property: Id(1)] double Score)
{
    /// <summary>
    /// The <paramref name="max"/> highest of <paramref name="scores"/> (each a score and the hour it was computed in)
    /// that <paramref name="query"/> matches, decayed to <paramref name="nowHour"/> and highest first. Scores whose
    /// hour has left the window are not reported.
    /// </summary>
    public static IReadOnlyList<RankedSender> Top(
        IEnumerable<(string Sender, double Score, long Hour)> scores, SenderQuery query, long nowHour, TimeSpan window, TimeSpan halfLife, int max)
    {
        var windowHours = Math.Max(1, (long)Math.Ceiling(window.TotalHours));
        var halfLifeHours = Math.Max(1, halfLife.TotalHours);
        return scores
            .Where(s => nowHour - s.Hour < windowHours && query.Matches(s.Sender))
            .Select(s => new RankedSender(s.Sender, s.Score * Math.Pow(0.5, Math.Max(0, nowHour - s.Hour) / halfLifeHours)))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Sender, StringComparer.Ordinal)
            .Take(Math.Max(0, max))
            .ToList();
    }
}
