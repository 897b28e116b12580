namespace Clearinghouse.Domain;

/// <summary>
/// The scores one ranking shard knows, by sender: each sender's latest weighted-recipient score and the hour it was
/// computed in (it decays from there). Bounded: senders whose reports have all left the window are dropped, and beyond
/// <c>maxSenders</c> the lowest decayed scores go first (they are the least likely to matter to the top 1/N). Changes
/// since the last <see cref="TakeChanged"/> are what the shard stores next. Not thread-safe.
/// </summary>
public sealed class ShardScores(TimeSpan window, TimeSpan halfLife, int maxSenders)
{
    private readonly Dictionary<string, ShardScore> scores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ShardScore> changed = new(StringComparer.Ordinal);
    private readonly long windowHours = Math.Max(1, (long)Math.Ceiling(window.TotalHours));
    private readonly double halfLifeHours = Math.Max(1, halfLife.TotalHours);

    public int Count => scores.Count;

    public IEnumerable<ShardScore> All => scores.Values;

    /// <summary>Brings back a stored score (a later one for the same sender replaces an earlier one).</summary>
    public void Restore(ShardScore score) => scores[score.Sender] = score;

    public void Update(string sender, double score, long hour)
    {
        var entry = new ShardScore(sender, score, hour);
        scores[sender] = entry;
        changed[sender] = entry;
    }

    /// <summary>The scores changed since the last call, to store.</summary>
    public IReadOnlyList<ShardScore> TakeChanged()
    {
        var taken = changed.Values.ToList();
        changed.Clear();
        return taken;
    }

    /// <summary>
    /// The shard's scores decayed to <paramref name="nowHour"/>, after dropping senders whose reports have all left the
    /// window and, beyond the maximum, the lowest scores.
    /// </summary>
    public ScoreHistogram Histogram(long nowHour)
    {
        var decayed = new List<(string Sender, double Score)>(scores.Count);
        foreach (var (sender, entry) in scores)
        {
            var age = nowHour - entry.Hour;
            if (age >= windowHours)
            {
                scores.Remove(sender);
                changed.Remove(sender);
                continue;
            }

            decayed.Add((sender, entry.Score * Math.Pow(0.5, age / halfLifeHours)));
        }

        if (decayed.Count > maxSenders)
        {
            decayed.Sort((a, b) => a.Score.CompareTo(b.Score));
            foreach (var (sender, _) in decayed.Take(decayed.Count - maxSenders))
            {
                scores.Remove(sender);
                changed.Remove(sender);
            }

            decayed.RemoveRange(0, decayed.Count - maxSenders);
        }

        var histogram = new ScoreHistogram();
        foreach (var (_, score) in decayed)
        {
            histogram.Add(score);
        }

        return histogram;
    }
}
