using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

public class ThresholdTests
{
    private static SenderStanding Standing(int recipients, int providers, double? weighted = null) =>
        new(recipients, recipients, recipients, weighted ?? recipients, providers, null);

    private static RankingView View(ThresholdSettings settings, double? top100 = null, long ranked = 0) =>
        new(settings, ranked, top100, null, null);

    [Theory]
    [InlineData(5, 2, false)]
    [InlineData(6, 2, true)]
    [InlineData(60, 1, false)]
    public void Absolute_mode_escalates_above_the_threshold_with_two_providers(int recipients, int providers, bool escalates)
    {
        var decision = ThresholdPolicy.Decide(Standing(recipients, providers), View(ThresholdSettings.Default));
        Assert.Equal(escalates, decision.Escalate);
    }

    [Fact]
    public void Weighting_can_keep_a_sender_with_old_reports_below_the_threshold()
    {
        Assert.False(ThresholdPolicy.Decide(Standing(6, 2, weighted: 4.2), View(ThresholdSettings.Default)).Escalate);
    }

    [Fact]
    public void One_provider_alone_never_escalates_even_in_ranked_mode()
    {
        var ranked = new ThresholdSettings(ThresholdMode.Ranked, 5, 100, 2);
        var decision = ThresholdPolicy.Decide(Standing(500, 1), View(ranked, top100: 1, ranked: 1000));
        Assert.False(decision.Escalate);
        Assert.Contains("1 provider", decision.Reason);
    }

    [Fact]
    public void Ranked_mode_escalates_a_sender_at_or_above_the_cutoff_with_at_least_two_recipients()
    {
        var ranked = new ThresholdSettings(ThresholdMode.Ranked, 5, 100, 2);
        Assert.True(ThresholdPolicy.Decide(Standing(3, 2), View(ranked, top100: 3, ranked: 300)).Escalate);
        Assert.False(ThresholdPolicy.Decide(Standing(2, 2), View(ranked, top100: 3, ranked: 300)).Escalate);
        Assert.False(ThresholdPolicy.Decide(Standing(1, 2, weighted: 9), View(ranked, top100: 1, ranked: 300)).Escalate);
        Assert.False(ThresholdPolicy.Decide(Standing(3, 2), View(ranked, top100: null)).Escalate);
    }

    [Theory]
    [InlineData(1, 100, 2, "absolute_threshold")]
    [InlineData(5, 200, 2, "rank_divisor")]
    [InlineData(5, 100, 1, "minimum_providers")]
    public void Settings_that_would_let_one_report_or_one_provider_list_a_sender_are_refused(int absolute, int divisor, int providers, string field)
    {
        var error = Assert.Throws<InvalidFieldException>(() => new ThresholdSettings(ThresholdMode.Absolute, absolute, divisor, providers).Validated());
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void The_histogram_finds_the_score_of_the_top_hundredth()
    {
        var histogram = new ScoreHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            histogram.Add(i);
        }

        // The top 1/100 of 1000 senders are the 10 highest: scores 991..1000.
        var cutoff = histogram.Cutoff(100)!.Value;
        Assert.True(ScoreHistogram.Reaches(995, cutoff));
        Assert.False(ScoreHistogram.Reaches(900, cutoff));
        Assert.InRange(cutoff, 991 / 1.05, 991);
        Assert.True(histogram.Cutoff(1000)!.Value >= cutoff);
        Assert.Null(new ScoreHistogram().Cutoff(100));
    }

    [Fact]
    public void Histograms_of_shards_merge_to_the_histogram_of_all_senders()
    {
        var all = new ScoreHistogram();
        var shards = new[] { new ScoreHistogram(), new ScoreHistogram(), new ScoreHistogram() };
        for (var i = 1; i <= 900; i++)
        {
            all.Add(i * 0.37);
            shards[i % 3].Add(i * 0.37);
        }

        var merged = new ScoreHistogram();
        foreach (var shard in shards)
        {
            merged.Merge(shard);
        }

        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Cutoff(100), merged.Cutoff(100));
        Assert.Equal(all.Cutoff(500), merged.Cutoff(500));
    }

    [Fact]
    public void A_shard_decays_scores_and_drops_senders_that_left_the_window()
    {
        var scores = new ShardScores(TimeSpan.FromDays(30), TimeSpan.FromDays(10), maxSenders: 100);
        scores.Update("fresh@x.example", 8, 1000);
        scores.Update("gone@x.example", 8, 1000 - (31 * 24));

        var histogram = scores.Histogram(1000 + 240);
        Assert.Equal(1, histogram.Count);
        Assert.Equal(["fresh@x.example"], scores.All.Select(s => s.Sender));
        Assert.Equal(ScoreHistogram.BucketOf(4), histogram.Buckets.Keys.Single());
    }

    [Fact]
    public void A_shard_keeps_at_most_its_maximum_of_senders_dropping_the_lowest_scores()
    {
        var scores = new ShardScores(TimeSpan.FromDays(30), TimeSpan.FromDays(10), maxSenders: 3);
        for (var i = 1; i <= 5; i++)
        {
            scores.Update($"s{i}@x.example", i, 1000);
        }

        Assert.Equal(5, scores.TakeChanged().Count);
        Assert.Equal(3, scores.Histogram(1000).Count);
        Assert.Equal(["s3@x.example", "s4@x.example", "s5@x.example"], scores.All.Select(s => s.Sender).Order());
        Assert.Empty(scores.TakeChanged());
    }
}
