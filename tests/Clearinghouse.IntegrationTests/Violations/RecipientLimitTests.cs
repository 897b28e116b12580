using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Clearinghouse.Grains;
using Clearinghouse.Grains.Persistence;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A recipient's bounds over gRPC: do-not-send requests beyond the maximum are refused with FAILED_PRECONDITION (the
/// caller withdraws one first), and a violation while too many reports wait for their senders with RESOURCE_EXHAUSTED
/// (retry later); both name the field, and nothing changes.
/// </summary>
public sealed class RecipientLimitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private ClearinghouseTestHost host = null!;
    private FaultInjectingGrainStorage storage = null!;

    public async Task InitializeAsync()
    {
        host = await ClearinghouseTestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Clearinghouse:Recipients:MaxDoNotSendRequests"] = "2",
                ["Clearinghouse:Recipients:MaxUndeliveredReports"] = "1",
            },
            services => FaultInjectingGrainStorage.Decorate(services, StorageNames.Clearinghouse));
        storage = host.Services.GetRequiredService<FaultInjectingGrainStorage>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_request_beyond_the_maximum_is_refused_and_a_replacement_or_a_withdrawal_is_not()
    {
        var recipient = NewRecipient();
        await Request(recipient, "a@bulk.example");
        await Request(recipient, "b@bulk.example");

        var refused = await Assert.ThrowsAsync<RpcException>(() => Request(recipient, "c@bulk.example"));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("sender:", refused.Status.Detail);
        Assert.Contains("MaxDoNotSendRequests", refused.Status.Detail);
        Assert.Equal(["a@bulk.example", "b@bulk.example"], await Senders(recipient));

        await Request(recipient, "b@bulk.example");
        await host.DoNotSend().WithdrawRequestAsync(new WithdrawDoNotSendRequest { Recipient = recipient, Sender = "a@bulk.example" });
        await Request(recipient, "c@bulk.example");
        Assert.Equal(["b@bulk.example", "c@bulk.example"], await Senders(recipient));
    }

    [Fact]
    public async Task A_violation_while_reports_wait_for_an_unreachable_sender_is_refused_until_they_are_delivered()
    {
        var recipient = NewRecipient();
        var sender = $"s-{Guid.NewGuid():N}@bulk.example";
        await Request(recipient, sender);

        // The sender's grain cannot store anything: the first violation is recorded and waits for it.
        var senderGrain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<Contracts.ISender>(sender).GetGrainId();
        var faults = Enumerable.Range(0, 20).Select(_ => storage.Arm(WriteFault.FailBeforeWriting, (_, grain, state) => grain == senderGrain && state is LogSlot<Domain.SenderEvent>)).ToList();
        Assert.True((await Check(recipient, sender, "m1@bulk.example")).ViolationRecorded);
        await faults[0];

        var refused = await Assert.ThrowsAsync<RpcException>(() => Check(recipient, sender, "m2@bulk.example"));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.StartsWith("recipient:", refused.Status.Detail);
        Assert.Equal(1u, (await host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient })).Requests.Single().Violations);

        // Once the sender's grain stores again, the waiting report goes first and the new violation is recorded.
        storage.Disarm();
        Assert.True((await Check(recipient, sender, "m2@bulk.example")).ViolationRecorded);
        Assert.Equal(2u, (await host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient })).Requests.Single().Violations);
        Assert.Equal(2ul, (await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).TotalReports);
    }

    private async Task Request(string recipient, string sender) =>
        await host.DoNotSend().RecordRequestAsync(new RecordDoNotSendRequest
        {
            Recipient = recipient,
            Sender = sender,
            Method = DoNotSendMethod.Reply,
            RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-4)),
            FirstMessage = new MessageEvidence { MessageId = "first@bulk.example", Date = Timestamp.FromDateTimeOffset(Now.AddDays(-5)), HeaderDigest = Sha256("first") },
        });

    private async Task<Verdict> Check(string recipient, string sender, string messageId) =>
        await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest
        {
            Sender = sender,
            Recipient = recipient,
            MessageId = messageId,
            MessageDate = Timestamp.FromDateTimeOffset(Now),
        });

    private async Task<IReadOnlyList<string>> Senders(string recipient) =>
        (await host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient })).Requests.Select(r => r.Sender).Order(StringComparer.Ordinal).ToList();

    private static string NewRecipient() => $"r-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
