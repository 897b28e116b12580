using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using DomainMaps = Clearinghouse.Domain;

namespace Clearinghouse.IntegrationTests;

[Collection(HostCollection.Name)]
public class MapsTests(HostFixture fixture)
{
    private readonly ProviderMaps.ProviderMapsClient maps = fixture.Host.ProviderMaps();
    private readonly Connections.ConnectionsClient connections = fixture.Host.Connections();
    private readonly Records.RecordsClient records = fixture.Host.Records();
    private readonly Verdicts.VerdictsClient verdicts = fixture.Host.Verdicts();

    [Fact]
    public async Task Connections_are_rejected_at_connect_by_the_longest_matching_prefix_then_by_helo()
    {
        await Put(MapKind.Connection,
            Entry("10.20.0.0/16", MapAction.Reject, "Your network sends spam."),
            Entry("10.20.30.0/24", MapAction.Accept),
            Entry("10.20.30.40", MapAction.Reject, "This host is compromised."),
            Entry("2001:db8:20::/48", MapAction.Reject),
            Entry("2001:db8:20:1::/64", MapAction.Accept),
            Entry("Bad-Helo.Conn.Test", MapAction.Reject, "Fix your HELO."),
            Entry("*.spamfarm.conn.test", MapAction.Reject));

        var wide = await Check("10.20.99.1");
        Assert.Equal((ConnectionAction.Reject, 554u, "5.7.1", "Your network sends spam.", "10.20.0.0/16"), (wide.Action, wide.SmtpCode, wide.EnhancedCode, wide.Text, wide.MatchedIdentifier));
        Assert.Equal((ConnectionAction.Accept, "10.20.30.0/24"), Decision(await Check("10.20.30.1")));
        Assert.Equal((ConnectionAction.Reject, "10.20.30.40/32"), Decision(await Check("10.20.30.40")));
        Assert.Equal((ConnectionAction.Reject, "10.20.0.0/16"), Decision(await Check("::ffff:10.20.1.1")));
        Assert.Equal((ConnectionAction.Reject, "2001:db8:20::/48"), Decision(await Check("2001:db8:20:2::1")));
        Assert.Equal((ConnectionAction.Accept, "2001:db8:20:1::/64"), Decision(await Check("2001:db8:20:1::99")));
        Assert.Equal((ConnectionAction.Accept, ""), Decision(await Check("2001:db8:21::1")));

        // HELO decides only when no IP entry matches.
        Assert.Equal((ConnectionAction.Reject, "bad-helo.conn.test"), Decision(await Check("172.16.5.5", "bad-helo.CONN.test")));
        Assert.Equal((ConnectionAction.Reject, "*.spamfarm.conn.test"), Decision(await Check("172.16.5.5", "node7.eu.spamfarm.conn.test")));
        Assert.Equal((ConnectionAction.Accept, ""), Decision(await Check("172.16.5.5", "spamfarm.conn.test")));
        Assert.Equal((ConnectionAction.Accept, "10.20.30.0/24"), Decision(await Check("10.20.30.1", "bad-helo.conn.test")));
    }

    [Fact]
    public async Task Removed_entries_stop_deciding_and_listing_pages_through_the_map()
    {
        await Put(MapKind.Connection, Entry("10.40.0.0/16", MapAction.Reject), Entry("10.41.0.0/16", MapAction.Reject), Entry("10.42.0.0/16", MapAction.Reject));
        Assert.Equal(ConnectionAction.Reject, (await Check("10.40.1.1")).Action);

        var removed = await maps.RemoveMapEntriesAsync(new RemoveMapEntriesRequest { Map = MapKind.Connection, Identifiers = { "10.40.0.0/16", "10.99.0.0/16" } });
        Assert.Equal(1u, removed.Removed);
        Assert.Equal(ConnectionAction.Accept, (await Check("10.40.1.1")).Action);

        var listed = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection });
        Assert.Contains(listed.Entries, e => e.Identifier == "10.41.0.0/16");
        Assert.DoesNotContain(listed.Entries, e => e.Identifier == "10.40.0.0/16");
        var page = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection, Offset = 1, Limit = 1 });
        Assert.Equal((1, listed.Total), (page.Entries.Count, page.Total));
        Assert.Equal(listed.Entries[1].Identifier, page.Entries[0].Identifier);
    }

    [Fact]
    public async Task The_recipient_map_rejects_before_the_recipients_records_are_consulted()
    {
        var recipient = $"closed-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        var allow = (await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "friend@sender.example", Action = RecordAction.Allow })).Record;
        await Put(MapKind.Recipient, Entry(recipient, MapAction.Reject, "This mailbox is closed."));

        var verdict = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "friend@sender.example", Recipient = recipient });
        Assert.Equal((VerdictAction.Reject, 550u, "This mailbox is closed."), (verdict.Action, verdict.SmtpCode, verdict.Text));

        // The grain was not asked: the allow record counted no hit.
        var listed = await records.ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Equal((allow.Id, 0ul), (listed.Records.Single().Id, listed.Records.Single().HitCount));
    }

    [Fact]
    public async Task A_recipient_map_accept_for_a_subdomain_passes_mail_whatever_the_records_say()
    {
        var subdomain = $"m{Guid.NewGuid():N}.{TestTenants.AcmeDomain}";
        var postmaster = $"postmaster@ops.{subdomain}";
        await records.AddRecordAsync(new AddRecordRequest { Recipient = postmaster, Pattern = "spam.example", Action = RecordAction.Reject });
        await Put(MapKind.Recipient, Entry("*." + subdomain, MapAction.Accept));

        var verdict = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "x@spam.example", Recipient = postmaster });
        Assert.Equal(VerdictAction.Accept, verdict.Action);
        Assert.Contains("recipient map accepts", verdict.Reason);
    }

    [Fact]
    public async Task The_providers_sender_list_blocks_when_the_recipients_own_records_do_not_decide()
    {
        var domain = $"listed-{Guid.NewGuid():N}.example";
        var recipient = $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "friend@" + domain, Action = RecordAction.Allow });
        await maps.PutSenderListEntriesAsync(new PutSenderListEntriesRequest
        {
            Entries = { new SenderListEntry { Pattern = domain, Action = RecordAction.Reject, Message = "Blocked by your provider.", ThreatLevel = 7 } },
        });

        var blocked = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "bulk@" + domain, Recipient = recipient });
        Assert.Equal((VerdictAction.Reject, "Blocked by your provider."), (blocked.Action, blocked.Text));
        Assert.StartsWith("provider's sender list", blocked.Reason);

        var friend = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "friend@" + domain, Recipient = recipient });
        Assert.Equal(VerdictAction.Accept, friend.Action);

        var list = await maps.ListSenderListAsync(new ListSenderListRequest());
        Assert.Contains(list.Entries, e => e.Pattern == domain && e.ThreatLevel == 7);

        await maps.RemoveSenderListEntriesAsync(new RemoveSenderListEntriesRequest { Keys = { new SenderListKey { Pattern = domain } } });
        Assert.Equal(VerdictAction.Accept, (await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "bulk@" + domain, Recipient = recipient })).Action);
    }

    [Fact]
    public async Task A_change_made_through_another_gateway_arrives_within_the_refresh_interval()
    {
        Assert.Equal(ConnectionAction.Accept, (await Check("10.60.0.1")).Action);

        // Another gateway's write: straight to the grain, not through this gateway.
        var grains = fixture.Host.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IProviderMaps>("acme").PutEntries(DomainMaps.MapKind.Connection, [new DomainMaps.MapEntry("10.60.0.0/16", DomainMaps.MapAction.Reject, "", DateTimeOffset.UtcNow)]);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        ConnectionVerdict verdict;
        do
        {
            await Task.Delay(200);
            verdict = await Check("10.60.0.1");
        }
        while (verdict.Action != ConnectionAction.Reject && DateTime.UtcNow < deadline);

        Assert.Equal(ConnectionAction.Reject, verdict.Action);
    }

    public static TheoryData<MapKind, string, string> BadIdentifiers => new()
    {
        { MapKind.Connection, "10.0.0.0/33", "prefix length 33 is out of range 0-32" },
        { MapKind.Connection, "2001:db8::/129", "prefix length 129 is out of range 0-128" },
        { MapKind.Connection, "10.0.0.1/24", "bits set beyond the prefix length" },
        { MapKind.Connection, "10.0.0/8", "not a valid IP address or CIDR" },
        { MapKind.Connection, "10.0.0.0/x", "is not a valid CIDR" },
        { MapKind.Connection, "300.1.1.1", "not a valid IP address or CIDR" },
        { MapKind.Connection, "bad_helo!", "domain contains the character" },
        { MapKind.Connection, "", "is required" },
        { MapKind.Recipient, ".example", "an address, a domain or *.domain" },
        { MapKind.Recipient, "no@@acme.example", "local part" },
    };

    [Theory]
    [MemberData(nameof(BadIdentifiers))]
    public async Task A_malformed_identifier_is_refused_naming_the_entry_and_nothing_changes(MapKind map, string identifier, string problem)
    {
        var before = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = map });
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Put(map, Entry(map == MapKind.Connection ? "10.70.0.0/16" : $"ok-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}", MapAction.Reject), Entry(identifier, MapAction.Reject)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("entries[1].identifier:", error.Status.Detail);
        Assert.Contains(problem, error.Status.Detail);

        var after = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = map });
        Assert.Equal((before.Version, before.Total), (after.Version, after.Total));
    }

    [Fact]
    public async Task Other_bad_requests_are_refused_naming_the_field()
    {
        await AssertInvalid("map", () => maps.PutMapEntriesAsync(new PutMapEntriesRequest { Entries = { Entry("10.0.0.1", MapAction.Reject) } }).ResponseAsync);
        await AssertInvalid("entries[0].action", () => Put(MapKind.Connection, Entry("10.0.0.1", MapAction.Unspecified)));
        await AssertInvalid("entries[0].message", () => Put(MapKind.Connection, Entry("10.0.0.1", MapAction.Reject, new string('x', 451))));
        await AssertInvalid("entries", () => maps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Connection }).ResponseAsync);
        await AssertInvalid("limit", () => maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection, Limit = 10_001 }).ResponseAsync);
        await AssertInvalid("entries[0].action", () => maps.PutSenderListEntriesAsync(new PutSenderListEntriesRequest { Entries = { new SenderListEntry { Pattern = "a.example", Action = RecordAction.Allow } } }).ResponseAsync);
        await AssertInvalid("entries[0].pattern", () => maps.PutSenderListEntriesAsync(new PutSenderListEntriesRequest { Entries = { new SenderListEntry { Pattern = "a b", Action = RecordAction.Reject } } }).ResponseAsync);
        await AssertInvalid("client_ip", () => connections.CheckConnectionAsync(new CheckConnectionRequest()).ResponseAsync);
        await AssertInvalid("client_ip", () => connections.CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "10.1.1" }).ResponseAsync);
        await AssertInvalid("helo", () => connections.CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "10.1.1.1", Helo = "a..b" }).ResponseAsync);
    }

    [Fact]
    public async Task Another_provider_sees_nothing_of_these_maps_and_cannot_map_these_recipients()
    {
        var recipient = $"guarded-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        await Put(MapKind.Connection, Entry("10.80.0.0/16", MapAction.Reject));
        var acmeRecipients = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Recipient });
        var otherMaps = fixture.Host.ProviderMaps(TestTenants.OtherKey);

        var theirs = await otherMaps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection });
        Assert.DoesNotContain(theirs.Entries, e => e.Identifier == "10.80.0.0/16");
        Assert.Equal(ConnectionAction.Accept, (await fixture.Host.Connections(TestTenants.OtherKey).CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "10.80.1.1" })).Action);
        Assert.DoesNotContain((await otherMaps.ListSenderListAsync(new ListSenderListRequest())).Entries, e => e.Pattern.StartsWith("listed-", StringComparison.Ordinal));

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await otherMaps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Recipient, Entries = { Entry(recipient, MapAction.Reject) } }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var deniedDomain = await Assert.ThrowsAsync<RpcException>(async () => await otherMaps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Recipient, Entries = { Entry("*." + TestTenants.AcmeDomain, MapAction.Reject) } }));
        Assert.Equal(StatusCode.PermissionDenied, deniedDomain.StatusCode);

        var operatorCall = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Host.ProviderMaps(TestTenants.OperatorKey).ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection }));
        Assert.Equal(StatusCode.PermissionDenied, operatorCall.StatusCode);

        // Nothing changed: acme's recipient still gets mail, and acme's recipient map is as it was.
        Assert.Equal(VerdictAction.Accept, (await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "a@b.example", Recipient = recipient })).Action);
        Assert.Equal(acmeRecipients.Version, (await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Recipient })).Version);
        Assert.Empty((await otherMaps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Recipient })).Entries);
    }

    private static MapEntry Entry(string identifier, MapAction action, string message = "") => new() { Identifier = identifier, Action = action, Message = message };

    private async Task<MapChangeResponse> Put(MapKind map, params MapEntry[] entries) =>
        await maps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = map, Entries = { entries } });

    private async Task<ConnectionVerdict> Check(string ip, string helo = "") =>
        await connections.CheckConnectionAsync(new CheckConnectionRequest { ClientIp = ip, Helo = helo });

    private static (ConnectionAction, string) Decision(ConnectionVerdict verdict) => (verdict.Action, verdict.MatchedIdentifier);

    private static async Task AssertInvalid(string field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }
}
