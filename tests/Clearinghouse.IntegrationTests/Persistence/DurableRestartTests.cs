using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Every kind of write the API acknowledges, made on one host, read back from a second host started on the same store
/// after the first has stopped: on Azure Storage (Azurite) and on Redis (appendfsync always).
/// </summary>
[Collection(AzuriteCollection.Name)]
public class DurableRestartTests(AzuriteFixture azurite)
{
    private const string Violator = "violator@spam.example";

    [Theory]
    [InlineData(DurableStore.Azurite)]
    [InlineData(DurableStore.Redis)]
    public async Task Every_kind_of_write_survives_a_full_restart_of_the_silo(DurableStore store)
    {
        await using var redis = store == DurableStore.Redis ? await RedisServer.StartAsync() : null;
        var settings = AzuriteFixture.StoreSettings(redis is null ? azurite.Azurite : redis, "restart");
        // An escalation destination nobody listens on: its delivery stays in the outbox, retried later.
        settings["Clearinghouse:Escalation:Destinations:isp:Kind"] = "SenderIsp";
        settings["Clearinghouse:Escalation:Destinations:isp:Webhook:Url"] = $"http://127.0.0.1:{FreePort.Next()}/hook";
        settings["Clearinghouse:Escalation:Destinations:isp:Webhook:Secret"] = "restart-test-webhook-secret";
        settings["Clearinghouse:Recipients:HitFlushInterval"] = "01:00:00";

        var recipient = $"durable@{TestTenants.AcmeDomain}";
        var written = new Written();
        await using (var first = await ClearinghouseTestHost.StartAsync(settings))
        {
            await WriteEverythingAsync(first, recipient, written);
        }

        await using var second = await ClearinghouseTestHost.StartAsync(settings);
        await AssertEverythingAsync(second, recipient, written);

        // The restarted silo writes on top of what it read (the stores' ETags carry over).
        await second.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "after@restart.example", Action = RecordAction.Reject });
        var listed = await second.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Contains(listed.Records, r => r.Pattern == "after@restart.example");
    }

    private static async Task WriteEverythingAsync(ClearinghouseTestHost host, string recipient, Written written)
    {
        // Records (one removed again), hit counts (written when the grain deactivates at shutdown) and a list limit.
        var records = host.Records();
        for (var i = 0; i < 5; i++)
        {
            var added = await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = $"sender{i}@spam.example", Action = RecordAction.Reject, Message = $"no {i}" });
            written.RecordIds.Add(added.Record.Id);
        }

        Assert.True((await records.RemoveRecordAsync(new RemoveRecordRequest { Recipient = recipient, RecordId = written.RecordIds[0] })).Removed);
        written.RecordIds.RemoveAt(0);
        for (var i = 0; i < 3; i++)
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "sender3@spam.example" });
        }

        await host.RecipientLists().SetListLimitAsync(new SetListLimitRequest { Recipient = recipient, MaxRecords = 250 });

        // A do-not-send request.
        var now = DateTimeOffset.UtcNow;
        await host.DoNotSend().RecordRequestAsync(new RecordDoNotSendRequest
        {
            Recipient = recipient,
            Sender = "newsletter@shop.example",
            Method = DoNotSendMethod.OneClick,
            RequestedAt = Timestamp.FromDateTimeOffset(now.AddHours(-1)),
            FirstMessage = Evidence("<first@shop.example>", now.AddHours(-2)),
            Message = "I unsubscribed.",
        });

        // Provider maps and the provider's sender list.
        var maps = host.ProviderMaps();
        await maps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Connection, Entries = { new MapEntry { Identifier = "192.0.2.0/24", Action = MapAction.Reject, Message = "known bad network" } } });
        await maps.PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Recipient, Entries = { new MapEntry { Identifier = $"postmaster@{TestTenants.AcmeDomain}", Action = MapAction.Accept } } });
        await maps.PutSenderListEntriesAsync(new PutSenderListEntriesRequest { Entries = { new SenderListEntry { Pattern = "bulk.example", Action = RecordAction.Reject, Message = "provider-wide" } } });

        // Six recipients at two providers report the same sender: it escalates (an outbox delivery) and is listed.
        await ListingReports.SubmitAsync(host, Violator, "restart-report");

        written.CaseId = await EventuallyAsync(async () =>
        {
            var deliveries = await host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest());
            var snapshot = await host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
            var delivery = deliveries.Deliveries.FirstOrDefault(d => d.Destination == "isp");
            return delivery is not null && snapshot.Entries.Any(e => e.Value == Sha256(Violator)) ? delivery.CaseId : null;
        });

        // Thresholds, after the escalation they would otherwise have prevented.
        await host.Operator().SetThresholdsAsync(new Thresholds { Mode = ThresholdMode.Absolute, AbsoluteThreshold = 9, MinimumProviders = 3, RankDivisor = 500 });
    }

    private static async Task AssertEverythingAsync(ClearinghouseTestHost host, string recipient, Written written)
    {
        var listed = await host.Records().ListRecordsAsync(new ListRecordsRequest { Recipient = recipient });
        Assert.Equal(written.RecordIds.Order(), listed.Records.Select(r => r.Id).Order());
        Assert.Equal(3ul, listed.Records.Single(r => r.Pattern == "sender3@spam.example").HitCount);
        var verdict = await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = "sender2@spam.example" });
        Assert.Equal((VerdictAction.Reject, "no 2"), (verdict.Action, verdict.Text));
        Assert.Equal(250u, (await host.RecipientLists().GetListInfoAsync(new GetListInfoRequest { Recipient = recipient })).MaxRecordsOverride);

        var requests = await host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient });
        Assert.Equal(("newsletter@shop.example", "first@shop.example"), (requests.Requests.Single().Sender, requests.Requests.Single().FirstMessage.MessageId));

        var maps = host.ProviderMaps();
        var connections = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection });
        Assert.Equal(("192.0.2.0/24", MapAction.Reject), (connections.Entries.Single().Identifier, connections.Entries.Single().Action));
        var recipients = await maps.ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Recipient });
        Assert.Equal($"postmaster@{TestTenants.AcmeDomain}", recipients.Entries.Single().Identifier);
        Assert.Equal("bulk.example", (await maps.ListSenderListAsync(new ListSenderListRequest())).Entries.Single().Pattern);
        var connection = await host.Connections().CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "192.0.2.7" });
        Assert.Equal(ConnectionAction.Reject, connection.Action);

        var sender = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = Violator });
        Assert.Equal((6ul, EscalationState.Listed, written.CaseId), (sender.TotalReports, sender.State, sender.CaseId));
        var delivery = (await host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest())).Deliveries.Single(d => d.Destination == "isp");
        Assert.Equal((written.CaseId, DeliveryStatus.Pending), (delivery.CaseId, delivery.Status));
        var snapshot = await host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
        Assert.Equal(written.CaseId, snapshot.Entries.Single(e => e.Value == Sha256(Violator)).CaseId);
        var thresholds = await host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        Assert.Equal((9u, 3u, 500u), (thresholds.AbsoluteThreshold, thresholds.MinimumProviders, thresholds.RankDivisor));
    }

    private static async Task<string> EventuallyAsync(Func<Task<string?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "the escalation did not reach the outbox and the filter list within 20 s");
            await Task.Delay(100);
        }
    }

    private static MessageEvidence Evidence(string messageId, DateTimeOffset date) => new()
    {
        MessageId = messageId,
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Sha256(messageId),
    };

    private static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private sealed class Written
    {
        public List<string> RecordIds { get; } = [];

        public string CaseId { get; set; } = "";
    }
}
