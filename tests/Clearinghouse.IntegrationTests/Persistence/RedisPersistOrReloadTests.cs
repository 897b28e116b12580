using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Clearinghouse.Grains;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// The persist-or-reload rule over gRPC against the real host with Redis state: a write that never reached Redis, and
/// one Redis stored though the grain saw a failure. The caller gets UNAVAILABLE, retries, and Redis holds the change once.
/// </summary>
public sealed class RedisPersistOrReloadTests : IAsyncLifetime
{
    private RedisServer redis = null!;
    private ClearinghouseTestHost host = null!;
    private FaultInjectingGrainStorage storage = null!;

    public async Task InitializeAsync()
    {
        redis = await RedisServer.StartAsync();
        host = await ClearinghouseTestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Clearinghouse:Storage"] = "Redis",
                ["Clearinghouse:Redis:ConnectionString"] = redis.ConnectionString,
                ["Clearinghouse:Cluster:ClusterId"] = "persist-or-reload",
            },
            services => FaultInjectingGrainStorage.Decorate(services, StorageNames.Clearinghouse));
        storage = host.Services.GetRequiredService<FaultInjectingGrainStorage>();
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_report_that_never_reached_redis_is_counted_once_after_the_retry()
    {
        var sender = $"s-{Guid.NewGuid():N}@bulk.example";
        var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ISender>(sender).GetGrainId();
        var failed = storage.Arm(WriteFault.FailBeforeWriting, grain);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Reports().SubmitViolationAsync(Report(sender)));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await failed;
        var retried = await host.Reports().SubmitViolationAsync(Report(sender));

        Assert.False(retried.Duplicate);
        var stored = await StoredViolations.SenderAsync(storage, grain, Domain.Address.Parse(sender, "sender"));
        Assert.Equal(1, stored.Ledger.TotalReports);
    }

    [Fact]
    public async Task A_record_redis_stored_though_the_write_timed_out_is_stored_once_after_the_retry()
    {
        var recipient = $"r-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
        var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IRecipient>(TestTenants.RecipientKey(recipient)).GetGrainId();
        var add = new AddRecordRequest { Recipient = recipient, Pattern = "bulk.example", Action = RecordAction.Reject };
        var failed = storage.Arm(WriteFault.TimeoutAfterWriting, grain);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Records().AddRecordAsync(add));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await failed;
        await host.Records().AddRecordAsync(add);

        var stored = await storage.ReadStoredAsync<Domain.RecipientState>("recipient", grain);
        Assert.Single(stored!.Records);
    }

    private static SubmitViolationRequest Report(string sender)
    {
        var now = DateTimeOffset.UtcNow;
        return new SubmitViolationRequest
        {
            ReportId = "report-1",
            Recipient = $"user@{TestTenants.AcmeDomain}",
            Sender = sender,
            RequestMethod = DoNotSendMethod.Reply,
            FirstMessage = new MessageEvidence { MessageId = "first@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddDays(-5)), HeaderDigest = new string('a', 64) },
            RequestedAt = Timestamp.FromDateTimeOffset(now.AddDays(-4)),
            SecondMessage = new MessageEvidence { MessageId = "second@bulk.example", Date = Timestamp.FromDateTimeOffset(now.AddHours(-1)), HeaderDigest = new string('b', 64) },
        };
    }
}
