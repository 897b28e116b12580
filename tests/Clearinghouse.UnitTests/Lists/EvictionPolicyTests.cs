using Clearinghouse.Domain;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.UnitTests.Lists;

public class EvictionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MinimumAge = TimeSpan.FromDays(7);

    private static EvictionCandidate Candidate(string id, int threat = 5, double rate = 0, int ageDays = 30, bool duplicate = false) =>
        new(new BlockingRecord(id, SenderPattern.Parse($"{id}@x.example", "p"), MessageChannel.Email, RecordAction.Reject, "", threat, Now.AddDays(-ageDays), RecordSource.User), rate, duplicate);

    private static (string, EvictionRule) Select(EvictionRule[] rules, params EvictionCandidate[] candidates)
    {
        var (victim, rule) = new EvictionPolicy(rules, MinimumAge).SelectVictim(candidates, Now);
        return (victim.Id, rule);
    }

    [Fact]
    public void The_duplicate_rule_alone_picks_a_duplicate_even_a_young_one()
    {
        Assert.Equal(("dup", EvictionRule.DuplicateInHigherLevelList), Select([EvictionRule.DuplicateInHigherLevelList], Candidate("a", threat: 0), Candidate("dup", threat: 9, rate: 50, ageDays: 0, duplicate: true)));
    }

    [Fact]
    public void The_threat_rule_alone_picks_the_lowest_threat_among_old_entries()
    {
        Assert.Equal(("low", EvictionRule.LowestThreatLevel), Select([EvictionRule.LowestThreatLevel], Candidate("young", threat: 0, ageDays: 1), Candidate("low", threat: 2, rate: 99), Candidate("high", threat: 8)));
    }

    [Fact]
    public void The_frequency_rule_alone_picks_the_least_hit_among_old_entries()
    {
        Assert.Equal(("quiet", EvictionRule.LeastFrequentlyHit), Select([EvictionRule.LeastFrequentlyHit], Candidate("young", rate: 0, ageDays: 1), Candidate("quiet", threat: 9, rate: 0.1), Candidate("busy", threat: 0, rate: 3)));
    }

    [Fact]
    public void A_threat_level_tie_decided_by_hit_rate_is_labelled_with_the_hit_rate_rule()
    {
        // Both have the lowest threat level; the rate separates them.
        Assert.Equal(("quiet", EvictionRule.LeastFrequentlyHit), Select([EvictionRule.LowestThreatLevel], Candidate("quiet", threat: 1, rate: 0.5), Candidate("busy", threat: 1, rate: 4), Candidate("high", threat: 8, rate: 0)));

        // One entry has the lowest threat level: the threat level decided.
        Assert.Equal(("low", EvictionRule.LowestThreatLevel), Select([EvictionRule.LowestThreatLevel], Candidate("low", threat: 1, rate: 4), Candidate("other", threat: 2, rate: 0)));

        // The other way round: equal rates, the threat level separates them.
        Assert.Equal(("low", EvictionRule.LowestThreatLevel), Select([EvictionRule.LeastFrequentlyHit], Candidate("low", threat: 1, rate: 0), Candidate("high", threat: 8, rate: 0), Candidate("busy", threat: 0, rate: 3)));
        Assert.Equal(("quiet", EvictionRule.LeastFrequentlyHit), Select([EvictionRule.LeastFrequentlyHit], Candidate("quiet", threat: 9, rate: 0), Candidate("busy", threat: 0, rate: 3)));

        // A tie on both is broken by age and keeps the rule's label.
        Assert.Equal(("older", EvictionRule.LowestThreatLevel), Select([EvictionRule.LowestThreatLevel], Candidate("older", threat: 1, rate: 1, ageDays: 40), Candidate("newer", threat: 1, rate: 1, ageDays: 30)));
    }

    [Fact]
    public void Rules_apply_in_the_configured_order()
    {
        var candidates = new[] { Candidate("dup", threat: 9, rate: 9, duplicate: true), Candidate("low", threat: 1, rate: 5), Candidate("quiet", threat: 7, rate: 0) };
        Assert.Equal(("dup", EvictionRule.DuplicateInHigherLevelList), Select(EvictionOptions.DefaultRules, candidates));
        Assert.Equal(("low", EvictionRule.LowestThreatLevel), Select([EvictionRule.LowestThreatLevel, EvictionRule.DuplicateInHigherLevelList], candidates));
        Assert.Equal(("quiet", EvictionRule.LeastFrequentlyHit), Select([EvictionRule.LeastFrequentlyHit, EvictionRule.LowestThreatLevel], candidates));
    }

    [Fact]
    public void When_no_rule_finds_a_candidate_the_least_hit_goes_old_before_young()
    {
        Assert.Equal(("b", EvictionRule.Fallback), Select(EvictionOptions.DefaultRules, Candidate("a", rate: 2, ageDays: 1), Candidate("b", rate: 1, ageDays: 2)));
        Assert.Equal(("old", EvictionRule.Fallback), Select([EvictionRule.DuplicateInHigherLevelList], Candidate("young", rate: 0, ageDays: 1), Candidate("old", rate: 4)));
    }

    [Fact]
    public void An_empty_rule_list_in_configuration_means_the_default_order()
    {
        Assert.Equal(EvictionOptions.DefaultRules, EvictionPolicy.From(new EvictionOptions()).Rules);
    }

    // Properties of adding to a full list through RecordBook, over random lists, ages, threat levels, hits and duplicates.
    public sealed record Scenario(int Max, (int Threat, int AgeDays, int Hits, bool Duplicate)[] Entries, EvictionRule[] Rules);

    public static class Scenarios
    {
        public static Arbitrary<Scenario> Generate() =>
            (from max in Gen.Choose(1, 8)
             from extra in Gen.Choose(0, 4)
             from entries in Gen.ArrayOf(
                 from threat in Gen.Choose(0, 9)
                 from age in Gen.Choose(0, 20)
                 from hits in Gen.Choose(0, 5)
                 from duplicate in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
                 select (threat, age, hits, duplicate), max + extra)
             from rules in Gen.Shuffle(EvictionOptions.DefaultRules).Select(r => r.ToArray())
             from count in Gen.Choose(0, 3)
             select new Scenario(max, entries, rules.Take(count).ToArray())).ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 300)]
    public Property Adding_to_a_full_list_keeps_the_invariants(Scenario scenario)
    {
        var state = new RecipientState();
        var book = new RecordBook(state, TimeSpan.FromDays(7));
        var duplicates = new HashSet<string>();
        for (var i = 0; i < scenario.Entries.Length; i++)
        {
            var (threat, age, hits, duplicate) = scenario.Entries[i];
            var id = $"e{i}";
            book.Add(RecordRequestValidator.Validate($"{id}@x.example", MessageChannel.Email, RecordAction.Reject, "", threat, RecordSource.User), Now.AddDays(-age), () => id);
            for (var h = 0; h < hits; h++)
            {
                book.RecordHits(id, 1, Now.AddDays(-age));
            }

            if (duplicate)
            {
                duplicates.Add($"{id}@x.example");
            }
        }

        var before = book.Records.ToList();
        var policy = new EvictionPolicy(scenario.Rules, MinimumAge);
        var context = new EvictionContext(policy, Now, 100, keys => Task.FromResult(keys.Select(k => duplicates.Contains(k.Pattern.ToString())).ToArray()));
        var evicted = book.MakeRoomAsync(false, scenario.Max, context).GetAwaiter().GetResult();
        var added = book.Add(RecordRequestValidator.Validate("new@x.example", MessageChannel.Email, RecordAction.Reject, "", 5, RecordSource.User), Now, () => "new");

        var neverAboveMax = book.Count <= scenario.Max;
        var newOneAdded = book.Records.Any(r => r.Id == "new") && !added.Replaced;
        var evictedCount = evicted.Count == Math.Max(0, before.Count - scenario.Max + 1);
        var secondaryHoldsThem = evicted.All(e => state.Secondary.Contains(e));

        // A duplicate goes before anything else when the duplicate rule comes first.
        var duplicatesFirst = scenario.Rules.Length == 0 || scenario.Rules[0] != EvictionRule.DuplicateInHigherLevelList
            || evicted.Take(before.Count(r => duplicates.Contains(r.Pattern.ToString()))).All(e => duplicates.Contains(e.Record.Pattern.ToString()));

        // A young entry is not evicted (other than as a duplicate) while an older one that is not evicted remains.
        bool IsOld(BlockingRecord r) => Now - r.CreatedAt >= MinimumAge;
        var keptOld = book.Records.Where(r => r.Id != "new").Any(IsOld);
        var youngSparedWhileOldRemain = !keptOld || evicted.All(e => IsOld(e.Record) || e.Rule == EvictionRule.DuplicateInHigherLevelList);

        return (neverAboveMax && newOneAdded && evictedCount && secondaryHoldsThem && duplicatesFirst && youngSparedWhileOldRemain)
            .Label($"max {scenario.Max}, rules [{string.Join(",", scenario.Rules)}], evicted [{string.Join(",", evicted.Select(e => $"{e.Record.Id}:{e.Rule}"))}], " +
                   $"aboveMax={!neverAboveMax} added={newOneAdded} count={evictedCount} secondary={secondaryHoldsThem} dupFirst={duplicatesFirst} young={youngSparedWhileOldRemain}");
    }
}
