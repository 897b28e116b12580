namespace Clearinghouse.Domain;

/// <summary>
/// How often a record has matched: a plain count, the last hit, and an exponentially decayed score
/// (each hit adds 1, the score halves every <c>halfLife</c>), so an old burst does not look like steady use.
/// Mutable, kept in memory by the recipient grain and flushed to storage on a timer.
/// </summary>
[GenerateSerializer]
public sealed class HitStatistics
{
    [Id(0)]
    public long Count { get; set; }

    [Id(1)]
    public DateTimeOffset? LastHitAt { get; set; }

    [Id(2)]
    public double DecayedScore { get; set; }

    [Id(3)]
    public DateTimeOffset ScoreAt { get; set; }

    /// <summary>
    /// Counts <paramref name="count"/> hits, the latest at <paramref name="at"/>. Hits tallied between two flushes are
    /// scored as if they all came at the latest one: with a flush interval of seconds and a half-life of days, the
    /// difference does not show.
    /// </summary>
    public void RecordHits(long count, DateTimeOffset at, TimeSpan halfLife)
    {
        DecayedScore = ScoreAsOf(at, halfLife) + count;
        if (at > ScoreAt)
        {
            ScoreAt = at;
        }

        Count += count;
        if (LastHitAt is null || at > LastHitAt)
        {
            LastHitAt = at;
        }
    }

    /// <summary>The decayed score as it stands at <paramref name="now"/>.</summary>
    public double ScoreAsOf(DateTimeOffset now, TimeSpan halfLife)
    {
        if (DecayedScore == 0 || now <= ScoreAt)
        {
            return DecayedScore;
        }

        return DecayedScore * Math.Pow(0.5, (now - ScoreAt) / halfLife);
    }
}
