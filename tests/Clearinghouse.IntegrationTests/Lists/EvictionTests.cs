using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A cluster whose recipients hold at most 3 entries per list, a secondary list of 4, entries younger than a day
/// protected, and a clock the tests move.
/// </summary>
public abstract class EvictionClusterFixtureBase(params string[] rules) : ClusterFixtureBase(
    TimeSpan.FromHours(1),
    new Dictionary<string, string?>
    {
        ["Clearinghouse:Recipients:DefaultMaxRecords"] = "3",
        ["Clearinghouse:Recipients:SecondaryMaxRecords"] = "4",
        ["Clearinghouse:Recipients:Eviction:MinimumAge"] = "1.00:00:00",
    }.Concat(rules.Select((rule, i) => KeyValuePair.Create($"Clearinghouse:Recipients:Eviction:Rules:{i}", (string?)rule))).ToDictionary(),
    NewClock())
{
    public FakeTimeProvider Clock => (FakeTimeProvider)ClusterClock!;

    private static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
}

/// <summary>The configured default rules.</summary>
public sealed class EvictionClusterFixture() : EvictionClusterFixtureBase();

/// <summary>The same, with the least-frequently-hit rule alone.</summary>
public sealed class LeastHitEvictionClusterFixture() : EvictionClusterFixtureBase(nameof(EvictionRule.LeastFrequentlyHit));

[CollectionDefinition(Name)]
public sealed class LeastHitEvictionClusterCollection : ICollectionFixture<LeastHitEvictionClusterFixture>
{
    public const string Name = "test cluster, small lists, least hit first";
}

[CollectionDefinition(Name)]
public sealed class EvictionClusterCollection : ICollectionFixture<EvictionClusterFixture>
{
    public const string Name = "test cluster, small lists";
}

/// <summary>The default rule order (duplicate, lowest threat level, least frequently hit) through the recipient grain.</summary>
[Collection(EvictionClusterCollection.Name)]
public class EvictionTests(EvictionClusterFixture fixture)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static NewRecord Block(string pattern, int threat = 5, MessageChannel channel = MessageChannel.Email) =>
        RecordRequestValidator.Validate(pattern, channel, RecordAction.Reject, "", threat, RecordSource.User);

    private static Address Sender(string address) => Address.Parse(address, "sender");

    private IRecipient NewRecipient() => fixture.Grains.GetGrain<IRecipient>(TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example"));

    [Fact]
    public async Task An_entry_the_providers_sender_list_duplicates_goes_first_whatever_its_age_and_threat()
    {
        var provider = $"p-{Guid.NewGuid():N}";
        var policy = new ListPolicy(provider, null);
        var recipient = NewRecipient();
        await recipient.AddRecord(Block("old@a.example", threat: 1), policy);
        fixture.Clock.Advance(2 * Day);
        var duplicate = (await recipient.AddRecord(Block("dup@a.example", threat: 9), policy)).Record;
        await recipient.AddRecord(Block("other@a.example", threat: 1), policy);
        await fixture.Grains.GetGrain<IProviderMaps>(provider).PutSenderListEntries([Block("dup@a.example")]);

        var added = await recipient.AddRecord(Block("new@a.example"), policy);

        Assert.Equal((duplicate.Id, EvictionRule.DuplicateInHigherLevelList), (added.Evicted?.Record.Id, added.Evicted?.Rule));
        Assert.Equal(["new@a.example", "old@a.example", "other@a.example"], Patterns(await recipient.ListRecords()));
    }

    [Fact]
    public async Task Without_a_duplicate_the_lowest_threat_among_old_entries_goes_and_young_ones_stay()
    {
        var recipient = NewRecipient();
        var lowOld = (await recipient.AddRecord(Block("low@a.example", threat: 2))).Record;
        await recipient.AddRecord(Block("high@a.example", threat: 8));
        fixture.Clock.Advance(2 * Day);
        await recipient.AddRecord(Block("young@a.example", threat: 0));

        var added = await recipient.AddRecord(Block("new@a.example"));

        Assert.Equal((lowOld.Id, EvictionRule.LowestThreatLevel), (added.Evicted?.Record.Id, added.Evicted?.Rule));
        Assert.Contains("young@a.example", Patterns(await recipient.ListRecords()));
    }

    [Fact]
    public async Task Among_equal_threat_levels_the_least_frequently_hit_goes_first_and_an_early_burst_decays()
    {
        var recipient = NewRecipient();
        var burst = (await recipient.AddRecord(Block("burst@a.example"))).Record;
        await recipient.AddRecord(Block("steady@a.example"));
        await recipient.AddRecord(Block("busy@a.example"));

        // A burst of 20 hits long ago, then weeks of quiet; steady gets one hit a week, busy a few now.
        for (var i = 0; i < 20; i++)
        {
            await recipient.Evaluate(new CheckRequest(Sender("burst@a.example"), MessageChannel.Email));
        }

        for (var week = 0; week < 8; week++)
        {
            fixture.Clock.Advance(7 * Day);
            await recipient.Evaluate(new CheckRequest(Sender("steady@a.example"), MessageChannel.Email));
        }

        for (var i = 0; i < 3; i++)
        {
            await recipient.Evaluate(new CheckRequest(Sender("busy@a.example"), MessageChannel.Email));
        }

        var added = await recipient.AddRecord(Block("new@a.example"));

        // All three share the lowest threat level: the hit rate decided, and the label says so.
        Assert.Equal((burst.Id, EvictionRule.LeastFrequentlyHit), (added.Evicted?.Record.Id, added.Evicted?.Rule));
        Assert.Equal(added.Evicted, Assert.Single(added.Evictions!));
        Assert.Equal(20, added.Evicted!.HitCount);
    }

    [Fact]
    public async Task When_every_entry_is_young_the_least_hit_goes_and_the_new_entry_is_always_added()
    {
        var recipient = NewRecipient();
        await recipient.AddRecord(Block("a@a.example"));
        var unhit = (await recipient.AddRecord(Block("b@a.example"))).Record;
        await recipient.AddRecord(Block("c@a.example"));
        await recipient.Evaluate(new CheckRequest(Sender("a@a.example"), MessageChannel.Email));
        await recipient.Evaluate(new CheckRequest(Sender("c@a.example"), MessageChannel.Email));

        var added = await recipient.AddRecord(Block("d@a.example"));

        Assert.False(added.Replaced);
        Assert.Equal((unhit.Id, EvictionRule.Fallback), (added.Evicted?.Record.Id, added.Evicted?.Rule));
        Assert.Equal(["a@a.example", "c@a.example", "d@a.example"], Patterns(await recipient.ListRecords()));
    }

    [Fact]
    public async Task Evicted_entries_are_read_back_from_the_bounded_secondary_list_and_flag_without_blocking()
    {
        var recipient = NewRecipient();
        for (var i = 0; i < 9; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            await recipient.AddRecord(Block($"s{i}@a.example"));
        }

        var secondary = await recipient.ListSecondary();
        Assert.Equal(4, secondary.Count);
        Assert.Equal(["s5@a.example", "s4@a.example", "s3@a.example", "s2@a.example"], secondary.Select(e => e.Record.Pattern.ToString()));
        Assert.Equal(3, (await recipient.ListRecords()).Count);

        var flagged = await recipient.Evaluate(new CheckRequest(Sender("s5@a.example"), MessageChannel.Email));
        Assert.Equal((VerdictAction.Accept, secondary[0].Record.Id), (flagged.Action, flagged.FlaggedRecordId));

        // Dropped off the end of the secondary list: neither blocked nor flagged.
        var forgotten = await recipient.Evaluate(new CheckRequest(Sender("s0@a.example"), MessageChannel.Email));
        Assert.Equal((VerdictAction.Accept, null), (forgotten.Action, forgotten.FlaggedRecordId));

        // Added again, it leaves the secondary list.
        await recipient.AddRecord(Block("s5@a.example"));
        Assert.DoesNotContain(await recipient.ListSecondary(), e => e.Record.Pattern.ToString() == "s5@a.example");
        Assert.Equal(VerdictAction.Reject, (await recipient.Evaluate(new CheckRequest(Sender("s5@a.example"), MessageChannel.Email))).Action);
    }

    [Fact]
    public async Task The_allow_list_is_bounded_apart_from_the_blocking_list_and_a_lower_limit_evicts_at_once()
    {
        var recipient = NewRecipient();
        for (var i = 0; i < 3; i++)
        {
            await recipient.AddRecord(Block($"b{i}@a.example"));
            await recipient.AddRecord(RecordRequestValidator.Validate($"friend{i}@a.example", MessageChannel.Email, RecordAction.Allow, "", 0, RecordSource.User));
        }

        Assert.Equal(6, (await recipient.ListRecords()).Count);
        var info = await recipient.SetListLimit(1, new ListPolicy("acme", 50));
        Assert.Equal((1, 1, 1, 1, 4), (info.MaxRecords, info.MaxRecordsOverride, info.BlockingRecords, info.AllowRecords, info.SecondaryRecords));
        Assert.Equal(2, (await recipient.ListRecords()).Count);

        // Cleared, the provider's default applies.
        var cleared = await recipient.SetListLimit(null, new ListPolicy("acme", 50));
        Assert.Equal((50, (int?)null), (cleared.MaxRecords, cleared.MaxRecordsOverride));
    }

    [Fact]
    public async Task Replacing_an_entry_of_a_full_list_evicts_nothing()
    {
        var recipient = NewRecipient();
        for (var i = 0; i < 3; i++)
        {
            await recipient.AddRecord(Block($"x{i}@a.example"));
        }

        var replaced = await recipient.AddRecord(Block("x1@a.example", threat: 9));
        Assert.True(replaced.Replaced);
        Assert.Null(replaced.Evicted);
        Assert.Empty(await recipient.ListSecondary());
    }

    private static string[] Patterns(IReadOnlyList<RecordView> views) =>
        views.Select(v => v.Record.Pattern.ToString()).Order(StringComparer.Ordinal).ToArray();
}

[Collection(LeastHitEvictionClusterCollection.Name)]
public class LeastHitEvictionTests(LeastHitEvictionClusterFixture fixture)
{
    [Fact]
    public async Task The_least_frequently_hit_rule_alone_ignores_threat_levels_and_spares_young_entries()
    {
        var recipient = fixture.Grains.GetGrain<IRecipient>(TestTenants.RecipientKey($"r-{Guid.NewGuid():N}@acme.example"));
        NewRecord Block(string pattern, int threat) => RecordRequestValidator.Validate(pattern, MessageChannel.Email, RecordAction.Reject, "", threat, RecordSource.User);
        await recipient.AddRecord(Block("low@a.example", 0));
        var quiet = (await recipient.AddRecord(Block("quiet@a.example", 9))).Record;
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        await recipient.AddRecord(Block("young@a.example", 9));
        await recipient.Evaluate(new CheckRequest(Address.Parse("low@a.example", "sender"), MessageChannel.Email));

        var added = await recipient.AddRecord(Block("new@a.example", 5));

        Assert.Equal((quiet.Id, EvictionRule.LeastFrequentlyHit), (added.Evicted?.Record.Id, added.Evicted?.Rule));
    }
}
