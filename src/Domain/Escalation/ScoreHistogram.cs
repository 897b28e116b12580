namespace Clearinghouse.Domain;

/// <summary>
/// Counts of senders by score on a geometric scale (each bucket 5 % wider than the one below), so that shards can
/// send the ranking root a bounded summary and the root can find the score at the top 1/N of all senders by merging
/// summaries. Scores below <see cref="MinScore"/> (no recent reports) share bucket 0.
/// </summary>
[GenerateSerializer]
public sealed class ScoreHistogram
{
    public const double MinScore = 0.01;
    private const double Ratio = 1.05;
    private static readonly double LogRatio = Math.Log(Ratio);

    [Id(0)]
    public Dictionary<int, long> Buckets { get; set; } = [];

    public long Count => Buckets.Values.Sum();

    public static int BucketOf(double score) =>
        score < MinScore ? 0 : 1 + (int)Math.Floor((Math.Log(score / MinScore) / LogRatio) + 1e-9);

    public static double LowerBound(int bucket) => bucket == 0 ? 0 : MinScore * Math.Pow(Ratio, bucket - 1);

    public void Add(double score, long count = 1)
    {
        var bucket = BucketOf(score);
        Buckets[bucket] = Buckets.GetValueOrDefault(bucket) + count;
    }

    public void Merge(ScoreHistogram other)
    {
        foreach (var (bucket, count) in other.Buckets)
        {
            Buckets[bucket] = Buckets.GetValueOrDefault(bucket) + count;
        }
    }

    /// <summary>
    /// The lowest score still in the top 1/<paramref name="divisor"/> of the senders counted (at least one sender is
    /// always in it), to bucket precision; null when no sender has a score.
    /// </summary>
    public double? Cutoff(int divisor)
    {
        var ranked = Buckets.Where(b => b.Key > 0 && b.Value > 0).OrderByDescending(b => b.Key).ToList();
        var total = Count;
        if (ranked.Count == 0)
        {
            return null;
        }

        var wanted = Math.Max(1, (long)Math.Ceiling(total / (double)divisor));
        long seen = 0;
        foreach (var (bucket, count) in ranked)
        {
            seen += count;
            if (seen >= wanted)
            {
                return LowerBound(bucket);
            }
        }

        return LowerBound(ranked[^1].Key);
    }

    /// <summary>True when <paramref name="score"/> is at or above a cutoff from <see cref="Cutoff"/>.</summary>
    public static bool Reaches(double score, double cutoff) => BucketOf(score) >= BucketOf(cutoff);
}
