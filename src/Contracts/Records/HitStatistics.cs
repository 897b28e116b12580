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

    public void RecordHit(DateTimeOffset now, TimeSpan halfLife)
    {
        DecayedScore = ScoreAsOf(now, halfLife) + 1;
        ScoreAt = now;
        Count++;
        LastHitAt = now;
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
