using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Records;

public class HitStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(7);

    [Fact]
    public void The_decayed_score_halves_every_half_life()
    {
        var hits = new HitStatistics();
        for (var i = 0; i < 8; i++)
        {
            hits.RecordHits(1, Start, HalfLife);
        }

        Assert.Equal(8, hits.ScoreAsOf(Start, HalfLife), 6);
        Assert.Equal(4, hits.ScoreAsOf(Start + HalfLife, HalfLife), 6);
        Assert.Equal(1, hits.ScoreAsOf(Start + (3 * HalfLife), HalfLife), 6);
        Assert.Equal(8, hits.Count);
    }

    [Fact]
    public void An_old_burst_scores_below_steady_recent_use()
    {
        var burst = new HitStatistics();
        for (var i = 0; i < 100; i++)
        {
            burst.RecordHits(1, Start, HalfLife);
        }

        var steady = new HitStatistics();
        for (var day = 0; day < 60; day++)
        {
            steady.RecordHits(1, Start.AddDays(day), HalfLife);
        }

        var now = Start.AddDays(60);
        Assert.True(burst.Count > steady.Count);
        Assert.True(burst.ScoreAsOf(now, HalfLife) < steady.ScoreAsOf(now, HalfLife));
    }
}
