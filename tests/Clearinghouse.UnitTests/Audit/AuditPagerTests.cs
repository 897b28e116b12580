using Clearinghouse.Domain;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.UnitTests.Audit;

/// <summary>The audit trail's segments and paging, over in-memory segments laid out as the grains lay them out.</summary>
public class AuditPagerTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A trail of segments of <paramref name="size"/>, the oldest ones dropped beyond <paramref name="retained"/>, as the head grain does.</summary>
    private sealed class Trail(int size, int retained)
    {
        private readonly Dictionary<long, List<AuditEntry>> segments = new() { [0] = [] };

        public AuditHead Head { get; private set; } = new(size, 0, 0);

        public void Append(AuditEvent auditEvent, DateTimeOffset at)
        {
            if (new AuditSegmentLog(Head.Current, segments[Head.Current]).TryAppend(auditEvent, at, size) is not null)
            {
                return;
            }

            Head = Head with { Current = Head.Current + 1 };
            segments[Head.Current] = [];
            while (Head.Current - Head.Oldest + 1 > retained)
            {
                segments.Remove(Head.Oldest);
                Head = Head with { Oldest = Head.Oldest + 1 };
            }

            new AuditSegmentLog(Head.Current, segments[Head.Current]).TryAppend(auditEvent, at, size);
        }

        public IEnumerable<AuditEntry> All => segments.Values.SelectMany(s => s);

        public int SegmentsRead { get; private set; }

        public Task<AuditSegmentRead> Read(long segment, long before, int max, AuditFilter filter)
        {
            SegmentsRead++;
            return Task.FromResult(segments.TryGetValue(segment, out var entries)
                ? new AuditSegmentLog(segment, entries).Read(filter, before, max)
                : new AuditSegmentRead([], false, null));
        }

        public async Task<List<AuditPage>> ReadAllAsync(AuditFilter filter, int pageSize)
        {
            var pages = new List<AuditPage>();
            long? before = null;
            do
            {
                var page = await AuditPager.ReadAsync(Head, filter, before, pageSize, (segment, below, max) => Read(segment, below, max, filter));
                pages.Add(page);
                before = page.NextBefore;
            }
            while (before is not null && pages.Count < 10_000);

            return pages;
        }
    }

    private static AuditEvent Event(int i) => AuditEvent.Create(
        AuditNames.Operator(i % 3 == 0 ? "alice" : "bob"),
        i % 2 == 0 ? AuditNames.DelistingRequest : AuditNames.SenderDelist,
        $"sender:s{i % 5}@x.example",
        $"reason {i}");

    public sealed record Scenario(int Size, int Retained, int Events, int PageSize, int FilterKind);

    public static class Scenarios
    {
        public static Arbitrary<Scenario> Generate() =>
            (from size in Gen.Choose(1, 7)
             from retained in Gen.Choose(1, 5)
             from events in Gen.Choose(0, 60)
             from pageSize in Gen.Choose(1, 12)
             from filter in Gen.Choose(0, 4)
             select new Scenario(size, retained, events, pageSize, filter)).ToArbitrary();
    }

    private static AuditFilter FilterOf(int kind) => kind switch
    {
        1 => new AuditFilter(Actor: AuditNames.Operator("alice")),
        2 => new AuditFilter(Action: "delisting"),
        3 => new AuditFilter(Target: "sender:s1@x.example", Since: Start.AddMinutes(10)),
        4 => new AuditFilter(Until: Start.AddMinutes(20)),
        _ => AuditFilter.All,
    };

    [Property(Arbitrary = [typeof(Scenarios)], MaxTest = 300)]
    public Property Paging_through_the_trail_yields_each_retained_matching_entry_once_newest_first(Scenario scenario)
    {
        var trail = new Trail(scenario.Size, scenario.Retained);
        for (var i = 0; i < scenario.Events; i++)
        {
            trail.Append(Event(i), Start.AddMinutes(i));
        }

        var filter = FilterOf(scenario.FilterKind);
        var pages = trail.ReadAllAsync(filter, scenario.PageSize).GetAwaiter().GetResult();
        var read = pages.SelectMany(p => p.Entries).Select(e => e.Sequence).ToList();
        var expected = trail.All.Where(filter.Matches).OrderByDescending(e => e.Sequence).Select(e => e.Sequence).ToList();

        var bounded = trail.All.Count() <= scenario.Size * scenario.Retained;
        var pagesBounded = pages.All(p => p.Entries.Count <= scenario.PageSize);
        return (read.SequenceEqual(expected) && bounded && pagesBounded)
            .Label($"read [{string.Join(",", read)}] expected [{string.Join(",", expected)}] kept {trail.All.Count()} pages {pages.Count}");
    }

    [Fact]
    public void Sequence_numbers_follow_on_from_segment_to_segment_and_the_oldest_segments_go()
    {
        var trail = new Trail(size: 4, retained: 3);
        for (var i = 0; i < 30; i++)
        {
            trail.Append(Event(i), Start.AddMinutes(i));
        }

        Assert.Equal(new AuditHead(4, 5, 7), trail.Head);
        Assert.Equal(Enumerable.Range(21, 10).Select(i => (long)i), trail.All.Select(e => e.Sequence).Order());
    }

    [Fact]
    public async Task A_filter_that_matches_little_reads_a_bounded_number_of_segments_per_page()
    {
        var trail = new Trail(size: 2, retained: 100);
        for (var i = 0; i < 200; i++)
        {
            trail.Append(i == 3 ? AuditEvent.Create("operator:rare", "sender.delist", "sender:x@x.example") : Event(i), Start.AddMinutes(i));
        }

        var filter = new AuditFilter(Actor: "operator:rare");
        var first = await AuditPager.ReadAsync(trail.Head, filter, null, 10, (segment, below, max) => trail.Read(segment, below, max, filter));
        Assert.Empty(first.Entries);
        Assert.NotNull(first.NextBefore);
        Assert.Equal(AuditPager.MaxSegmentsPerPage, trail.SegmentsRead);

        var all = await trail.ReadAllAsync(filter, 10);
        Assert.Equal(4L, all.SelectMany(p => p.Entries).Single().Sequence);
    }

    [Fact]
    public async Task Reading_stops_at_the_first_segment_older_than_since()
    {
        var trail = new Trail(size: 5, retained: 100);
        for (var i = 0; i < 100; i++)
        {
            trail.Append(Event(i), Start.AddMinutes(i));
        }

        var filter = new AuditFilter(Since: Start.AddMinutes(92));
        var page = await AuditPager.ReadAsync(trail.Head, filter, null, 100, (segment, below, max) => trail.Read(segment, below, max, filter));
        Assert.Equal(8, page.Entries.Count);
        Assert.Null(page.NextBefore);
        Assert.Equal(2, trail.SegmentsRead);
    }

    [Fact]
    public void Texts_are_kept_to_one_bounded_line()
    {
        var created = AuditEvent.Create("operator:a", "x", "sender:a@b.example", "line\r\nbreak" + new string('r', 1000), [new("k\n", "v\t")]);
        Assert.Equal(AuditEvent.MaxTextLength, created.Reason.Length);
        Assert.StartsWith("linebreak", created.Reason);
        Assert.Equal("v", created.Details["k"]);
    }
}
