using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary><c>Operator.ListAudit</c> over gRPC: operator actions recorded under the operator's name, filters, paging, bad input.</summary>
[Collection(HostCollection.Name)]
public class AuditApiTests(HostFixture fixture)
{
    [Fact]
    public async Task Operator_actions_are_recorded_with_who_did_what_to_what_and_why()
    {
        var alice = fixture.Host.Operator(TestTenants.AliceKey);
        var sender = $"audited-{Guid.NewGuid():N}@bulk.example";
        var since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-1));

        var thresholds = await alice.GetThresholdsAsync(new GetThresholdsRequest());
        await alice.SetThresholdsAsync(thresholds);
        var delisted = await alice.DelistAsync(new DelistRequest { Sender = sender, Reason = "asked nicely" });
        Assert.False(delisted.Delisted);
        await fixture.Host.Operator().DelistAsync(new DelistRequest { Sender = sender, Reason = "again" });

        var bySender = (await alice.ListAuditAsync(new ListAuditRequest { Target = $"sender:{sender}" })).Entries;
        Assert.Equal(2, bySender.Count);
        var (latest, first) = (bySender[0], bySender[1]);
        Assert.True(latest.Sequence > first.Sequence);
        Assert.Equal(("operator:alice", "sender.delist", "asked nicely", "false (was not listed)"), (first.Actor, first.Action, first.Reason, first.Details["delisted"]));

        // The older configuration form (a key hash directly under Operators) is the operator named "operator".
        Assert.Equal(("operator:operator", "again"), (latest.Actor, latest.Reason));

        var set = (await alice.ListAuditAsync(new ListAuditRequest { Actor = "operator:alice", Action = "thresholds", Since = since })).Entries.First();
        Assert.Equal(("thresholds.set", "thresholds"), (set.Action, set.Target));
        Assert.Equal(thresholds.AbsoluteThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture), set.Details["after.absolute_threshold"]);
        Assert.Equal(set.Details["before.mode"], set.Details["after.mode"]);
        Assert.True(set.At.ToDateTimeOffset() >= since.ToDateTimeOffset());
    }

    [Fact]
    public async Task Pages_follow_on_from_the_token_without_gaps_or_repeats()
    {
        var alice = fixture.Host.Operator(TestTenants.AliceKey);
        var since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMilliseconds(-1));
        var senders = Enumerable.Range(0, 7).Select(i => $"paged-{i}-{Guid.NewGuid():N}@bulk.example").ToList();
        foreach (var sender in senders)
        {
            await alice.DelistAsync(new DelistRequest { Sender = sender, Reason = "paging" });
        }

        var pages = new List<ListAuditResponse>();
        var token = "";
        do
        {
            var page = await alice.ListAuditAsync(new ListAuditRequest { Action = "sender.delist", Since = since, PageSize = 3, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var entries = pages.SelectMany(p => p.Entries).ToList();
        Assert.All(pages, p => Assert.True(p.Entries.Count <= 3));
        Assert.Equal(senders.AsEnumerable().Reverse().Select(s => $"sender:{s}"), entries.Select(e => e.Target));
        Assert.Equal(entries.Select(e => e.Sequence).OrderDescending(), entries.Select(e => e.Sequence));
    }

    [Theory]
    [InlineData("page_size")]
    [InlineData("page_token")]
    [InlineData("until")]
    [InlineData("actor")]
    [InlineData("since")]
    public async Task A_bad_request_is_refused_naming_the_field(string field)
    {
        var now = DateTimeOffset.UtcNow;
        var request = field switch
        {
            "page_size" => new ListAuditRequest { PageSize = 1001 },
            "page_token" => new ListAuditRequest { PageToken = "not-a-token" },
            "until" => new ListAuditRequest { Since = Timestamp.FromDateTimeOffset(now), Until = Timestamp.FromDateTimeOffset(now.AddHours(-1)) },
            "actor" => new ListAuditRequest { Actor = "operator:\nalice" },
            _ => new ListAuditRequest { Since = new Timestamp { Seconds = 1, Nanos = -5 } },
        };

        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Host.Operator().ListAuditAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }
}
