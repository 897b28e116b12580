using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Clearinghouse.Grains;
using Clearinghouse.Grains.Escalation;
using Clearinghouse.Grains.Persistence;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A silo stopped in the middle of an escalation, with Redis state: the sixth report opened the case and was answered,
/// a step kept failing until the silo stopped, and a new silo on the same Redis finishes the escalation from the stored
/// case, by its reminder alone (nobody calls the sender): one signed webhook and one filter-list add, exactly.
/// </summary>
public sealed class EscalationRestartTests : IAsyncLifetime
{
    private const string Secret = "restart-test-secret-0123";
    private RedisServer redis = null!;
    private WebhookReceiver receiver = null!;

    public static TheoryData<string> StopPoints => ["outbox refuses the case", "filter list stored the add but timed out", "sender cannot record the case queued"];

    public async Task InitializeAsync()
    {
        redis = await RedisServer.StartAsync();
        receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await receiver.DisposeAsync();
        await redis.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(StopPoints))]
    public async Task A_silo_stopped_between_escalation_steps_is_finished_by_the_next_exactly_once(string stopPoint)
    {
        var sender = $"s-{Guid.NewGuid():N}@bulk.example";
        var listing = Domain.FilterEntry.ForAddress(Domain.Address.Parse(sender, "sender"));
        var entry = listing.Value;
        string caseId;
        await using (var first = await ClearinghouseTestHost.StartAsync(Settings(), services => FaultInjectingGrainStorage.Decorate(services, StorageNames.Clearinghouse)))
        {
            var faults = first.Services.GetRequiredService<FaultInjectingGrainStorage>();
            var failed = stopPoint switch
            {
                "outbox refuses the case" => ArmEveryTime(faults, WriteFault.FailBeforeWriting, (_, _, state) => state is Domain.OutboxState s && s.Cases.Values.Any(c => c.Sender.Value == sender)),
                "filter list stored the add but timed out" => faults.Arm(WriteFault.TimeoutAfterWriting, (_, _, state) => state is Domain.FilterListData s && s.Listed.ContainsKey(listing.Key)),
                _ => ArmEveryTime(faults, WriteFault.FailBeforeWriting, (_, _, state) => Records(state, Domain.EscalationStep.CaseQueued)),
            };
            if (stopPoint == "filter list stored the add but timed out")
            {
                // ... and the sender never manages to record the listing before the silo stops.
                _ = ArmEveryTime(faults, WriteFault.FailBeforeWriting, (_, _, state) => Records(state, Domain.EscalationStep.Listed));
            }

            caseId = await ReportSixTimesAsync(first, sender);
            await failed.WaitAsync(TimeSpan.FromSeconds(20));
            if (stopPoint == "outbox refuses the case")
            {
                Assert.Empty(receiver.Received);
            }
        }

        await using var second = await ClearinghouseTestHost.StartAsync(Settings());
        await using var feed = FilterListSubscriber.Start(second.FilterList(), 0);
        await feed.WaitForAsync(updates => Adds(updates, entry) >= 1, TimeSpan.FromSeconds(30));
        await receiver.WaitUntilAsync(r => r.Count >= 1, TimeSpan.FromSeconds(30));
        await Settle.UntilQuietAsync(() => receiver.Received.Count + feed.Updates.Count, TimeSpan.FromSeconds(3));

        var delivery = Assert.Single(receiver.Received);
        Assert.Equal((200, $"{caseId}/authority"), (delivery.Status, delivery.Header(WebhookTransport.IdempotencyHeader)));
        Assert.Equal(1, Adds(feed.Updates, entry));
        var status = await second.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal((EscalationState.Listed, caseId, 6ul), (status.State, status.CaseId, status.TotalReports));
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Clearinghouse:Storage"] = "Redis",
        ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
        ["Clearinghouse:Cluster:ClusterId"] = "escalation-restart",
        ["Clearinghouse:Violations:EscalationRetryPeriod"] = "00:00:02",
        ["Clearinghouse:Escalation:ReminderPeriod"] = "00:00:02",
        ["Clearinghouse:Escalation:FirstRetryDelay"] = "00:00:00.200",
        ["Clearinghouse:Escalation:Destinations:authority:Kind"] = "StateAuthority",
        ["Clearinghouse:Escalation:Destinations:authority:Webhook:Url"] = receiver.Url("/hook"),
        ["Clearinghouse:Escalation:Destinations:authority:Webhook:Secret"] = Secret,
    };

    /// <summary>Fails every matching write for the life of the host (the first failure completes the task).</summary>
    private static Task ArmEveryTime(FaultInjectingGrainStorage faults, WriteFault fault, Func<string, GrainId, object?, bool> matches) =>
        Enumerable.Range(0, 100).Select(_ => faults.Arm(fault, matches)).ToList()[0];

    private static bool Records(object? state, Domain.EscalationStep step) =>
        state is LogSlot<Domain.SenderEvent> slot && slot.Events.Any(e => e.Transition?.Step == step);

    private static int Adds(IReadOnlyList<FilterListUpdate> updates, string entry) =>
        updates.Count(u => u.UpdateCase == FilterListUpdate.UpdateOneofCase.Change && u.Change.Op == FilterChangeOp.Add && u.Change.Value == entry)
        + updates.Where(u => u.UpdateCase == FilterListUpdate.UpdateOneofCase.Snapshot).Sum(u => u.Snapshot.Entries.Count(e => e.Value == entry));

    private static async Task<string> ReportSixTimesAsync(ClearinghouseTestHost host, string sender)
    {
        var now = DateTimeOffset.UtcNow;
        SubmitViolationResponse answer = null!;
        for (var i = 0; i < 6; i++)
        {
            var (key, domain) = i < 3 ? (TestTenants.AcmeKey, TestTenants.AcmeDomain) : (TestTenants.OtherKey, TestTenants.OtherDomain);
            answer = await host.Reports(key).SubmitViolationAsync(new SubmitViolationRequest
            {
                ReportId = $"r{i}",
                Recipient = $"user{i}@{domain}",
                Sender = sender,
                RequestMethod = DoNotSendMethod.Reply,
                FirstMessage = new MessageEvidence { MessageId = "first@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddDays(-5)), HeaderDigest = Sha256("first") },
                RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
                SecondMessage = new MessageEvidence { MessageId = $"second{i}@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddHours(-1)), HeaderDigest = Sha256($"second{i}") },
            });
        }

        Assert.Equal(EscalationState.Escalated, answer.SenderState);
        var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        return status.CaseId;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
