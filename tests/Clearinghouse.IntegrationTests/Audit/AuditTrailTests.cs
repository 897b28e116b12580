using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Audit;

namespace Clearinghouse.IntegrationTests;

/// <summary>A cluster whose audit trail keeps 3 segments of 4 entries.</summary>
public sealed class SmallAuditClusterFixture() : ClusterFixtureBase(
    TimeSpan.FromHours(1),
    new Dictionary<string, string?>
    {
        ["Clearinghouse:Audit:SegmentSize"] = "4",
        ["Clearinghouse:Audit:RetainedSegments"] = "3",
    });

/// <summary>The audit trail's grains: entries persisted in segments, the oldest segments deleted from storage.</summary>
public class AuditTrailTests : IClassFixture<SmallAuditClusterFixture>
{
    private readonly SmallAuditClusterFixture fixture;

    public AuditTrailTests(SmallAuditClusterFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task The_trail_is_stored_in_bounded_segments_and_reads_back_newest_first()
    {
        var trail = fixture.Grains.GetGrain<IAuditTrail>(0);
        var appended = new List<AuditEntry>();
        for (var i = 0; i < 30; i++)
        {
            appended.Add(await trail.Append(AuditEvent.Create(AuditNames.Operator("alice"), AuditNames.SenderDelist, $"sender:s{i}@x.example", $"reason {i}")));
        }

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), appended.Select(e => e.Sequence));
        var head = await trail.GetHead();
        Assert.Equal(new AuditHead(4, 5, 7), head);

        // What storage holds: the retained segments, nothing of the older ones; no segment above its size.
        for (long segment = 0; segment <= 7; segment++)
        {
            var stored = fixture.Storage.Stored<AuditSegmentState>(fixture.Grains.GetGrain<IAuditSegment>(segment).GetGrainId());
            if (segment < 5)
            {
                Assert.Null(stored);
            }
            else
            {
                Assert.Equal(appended.Where(e => head.SegmentOf(e.Sequence) == segment).Select(e => e.Sequence), stored!.Entries.Select(e => e.Sequence));
            }
        }

        var pages = new List<AuditEntry>();
        long? before = null;
        do
        {
            var page = await AuditPager.ReadAsync(head, AuditFilter.All, before, 5, (segment, below, max) => fixture.Grains.GetGrain<IAuditSegment>(segment).Read(AuditFilter.All, below, max));
            pages.AddRange(page.Entries);
            before = page.NextBefore;
        }
        while (before is not null);

        Assert.Equal(Enumerable.Range(21, 10).Reverse().Select(i => (long)i), pages.Select(e => e.Sequence));
        Assert.Equal("sender:s29@x.example", pages[0].Event.Target);
    }
}
