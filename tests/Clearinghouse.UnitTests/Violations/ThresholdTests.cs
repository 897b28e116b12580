using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

public class ThresholdTests
{
    private static SenderStanding Standing(int recipients, int providers, double? weighted = null) =>
        new(recipients, recipients, recipients, weighted ?? recipients, providers, null);

    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static RankingView View(ThresholdSettings settings, double? top100 = null, long ranked = 0, DateTimeOffset? at = null) =>
        new(settings, ranked, top100, null, null, at ?? Now);

    [Theory]
    [InlineData(5, 2, false)]
    [InlineData(6, 2, true)]
    [InlineData(60, 1, false)]
    public void Absolute_mode_escalates_above_the_threshold_with_two_providers(int recipients, int providers, bool escalates)
    {
        var decision = ThresholdPolicy.Decide(Standing(recipients, providers), View(ThresholdSettings.Default), Now, RankingBounds.Default);
        Assert.Equal(escalates, decision.Escalate);
    }

    [Fact]
    public void Weighting_can_keep_a_sender_with_old_reports_below_the_threshold()
    {
        Assert.False(ThresholdPolicy.Decide(Standing(6, 2, weighted: 4.2), View(ThresholdSettings.Default), Now, RankingBounds.Default).Escalate);
    }

    [Fact]
    public void One_provider_alone_never_escalates_even_in_ranked_mode()
    {
        var ranked = new ThresholdSettings(ThresholdMode.Ranked, 5, 100, 2);
        var decision = ThresholdPolicy.Decide(Standing(500, 1), View(ranked, top100: 1, ranked: 1000), Now, RankingBounds.Default);
        Assert.False(decision.Escalate);
        Assert.Contains("1 provider", decision.Reason);
    }

    [Fact]
    public void Ranked_mode_escalates_a_sender_at_or_above_a_current_cutoff_of_a_large_enough_population_and_above_the_floor()
    {
        var ranked = new ThresholdSettings(ThresholdMode.Ranked, 5, 100, 2);
        Decision(true, Standing(8, 2), View(ranked, top100: 8, ranked: 1000));
        Decision(false, Standing(7, 2), View(ranked, top100: 8, ranked: 1000), "not in the top 1/100");
        Decision(false, Standing(8, 2), View(ranked, top100: null, ranked: 1000), "not in the top 1/100");

        // The absolute threshold is a floor: a cutoff below it does not list a sender below it.
        Decision(false, Standing(5, 2), View(ranked, top100: 3, ranked: 5000), "not above the absolute floor of 5");

        // 999 ranked senders: their "top 1/100" is 10 senders rounded up; at least 1000 (10 in the top 1/100) are needed.
        Decision(false, Standing(50, 2), View(ranked, top100: 8, ranked: 999), "999 reported senders are too few for a top 1/100 (at least 1000)");
        Decision(false, Standing(50, 2), View(ranked with { RankDivisor = 1000 }, top100: 8, ranked: 9999) with { Top1000Cutoff = 8 }, "too few");

        // A cutoff older than the bound, or not merged from every shard, lists nobody.
        Decision(true, Standing(8, 2), View(ranked, top100: 8, ranked: 1000, at: Now - RankingBounds.Default.MaxCutoffAge));
        Decision(false, Standing(8, 2), View(ranked, top100: 8, ranked: 1000, at: Now - RankingBounds.Default.MaxCutoffAge - TimeSpan.FromSeconds(1)), "not current");
        Decision(false, Standing(8, 2), View(ranked, top100: 8, ranked: 1000) with { CutoffsAt = null }, "not current");
    }

    [Fact]
    public void Ranked_mode_on_a_cold_start_lists_nobody_not_even_the_first_sender_reported_at_two_providers()
    {
        // The first report of all: the sender is the whole population, so its own score is the "top 1/100" cutoff.
        var ranked = new ThresholdSettings(ThresholdMode.Ranked, 2, 100, 2);
        var histogram = new ScoreHistogram();
        histogram.Add(3);
        var view = new RankingView(ranked, histogram.Count, histogram.Cutoff(100), histogram.Cutoff(500), histogram.Cutoff(1000), Now);
        Decision(false, Standing(3, 2), view, "1 reported senders are too few");
    }

    /// <summary>
    /// The run the issue describes, then growth: 300 senders, then 3000, their reports (one per recipient, alternating
    /// two providers) arriving in shuffled order; the senders decide as reports arrive, with a ranking view refreshed
    /// only every 100 reports (the shards' lag). Thresholds RANKED 1/100 with the lowest floor allowed (2).
    /// </summary>
    [Fact]
    public void Ranked_mode_in_a_growth_phase_lists_only_senders_of_the_settled_top_and_nothing_on_a_cold_start()
    {
        var ranked = RankingView.Initial with { Settings = new ThresholdSettings(ThresholdMode.Ranked, 2, 100, 2) };
        var random = new Random(13);

        // Cold start: 606 reports over 300 senders list nobody (300 is too few for a top 1/100).
        var cold = Simulate(Enumerable.Range(0, 300).ToDictionary(i => $"c{i}@bulk.example", i => i < 6 ? 3 : 2), ranked, random);
        Assert.Empty(cold.Listed);
        Assert.Equal(606, cold.Reports);

        // Growth to 3000 senders: whoever is listed is in the settled top 2/100 (the lagging cutoff may be a little
        // below the settled one, never far), and most of the settled top 1/100 is listed.
        var grown = Simulate(Senders(3000, heavy: 60), ranked, random);
        var settled = grown.Scores.OrderByDescending(s => s.Value).ToList();
        var topTwoPercent = settled[(settled.Count * 2 / 100) - 1].Value;
        Assert.All(grown.Listed, sender => Assert.True(grown.Scores[sender] >= topTwoPercent, $"{sender} ({grown.Scores[sender]} recipients) is listed outside the settled top 2/100 (from {topTwoPercent})"));
        var topOnePercent = settled.Take(settled.Count / 100).Select(s => s.Key).ToList();
        Assert.True(topOnePercent.Count(grown.Listed.Contains) >= topOnePercent.Count / 2, $"{grown.Listed.Count} listed");
    }

    private static void Decision(bool escalates, SenderStanding standing, RankingView view, string? reason = null)
    {
        var decision = ThresholdPolicy.Decide(standing, view, Now, RankingBounds.Default);
        Assert.True(escalates == decision.Escalate, decision.Reason);
        if (reason is not null)
        {
            Assert.Contains(reason, decision.Reason);
        }
    }

    /// <summary>Recipients per sender: a few heavy senders (8 to 30 recipients), the rest 1 to 3 (2 on average).</summary>
    private static Dictionary<string, int> Senders(int count, int heavy) =>
        Enumerable.Range(0, count).ToDictionary(i => $"s{i}@bulk{i % 17}.example", i => i < heavy ? 8 + (i * 22 / (heavy - 1)) : 1 + (i % 3));

    private sealed record Run(HashSet<string> Listed, Dictionary<string, double> Scores, int Reports);

    private static Run Simulate(Dictionary<string, int> recipients, RankingView initial, Random random)
    {
        var reports = recipients.SelectMany(s => Enumerable.Range(0, s.Value).Select(r => (Sender: s.Key, Recipient: r))).ToArray();
        random.Shuffle(reports);
        var senders = new Dictionary<string, ReportedSender>();
        var scores = new Dictionary<string, double>();
        var listed = new HashSet<string>();
        var view = initial;
        for (var n = 0; n < reports.Length; n++)
        {
            var (address, recipient) = reports[n];
            if (!senders.TryGetValue(address, out var sender))
            {
                senders[address] = sender = new ReportedSender(Address.Parse(address, "sender"), new SenderSnapshot(), ViolationLedgerTests.Limits());
            }

            var report = ViolationLedgerTests.Report($"{address}-{recipient}", $"r{recipient}@{address}", recipient % 2 == 0 ? "acme" : "other", Now);
            if (sender.Report(report with { Sender = sender.Sender }, view, Now)!.Transition is { Step: EscalationStep.Opened })
            {
                listed.Add(address);
            }

            scores[address] = sender.Ledger.Standing(Now).WeightedRecipients;
            if (n % 100 == 99)
            {
                var histogram = new ScoreHistogram();
                foreach (var score in scores.Values)
                {
                    histogram.Add(score);
                }

                view = new RankingView(view.Settings, histogram.Count, histogram.Cutoff(100), histogram.Cutoff(500), histogram.Cutoff(1000), Now);
            }
        }

        return new Run(listed, scores, reports.Length);
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
