using System.Collections.Concurrent;
using System.Diagnostics;
using Clearinghouse.Api.V1;
using Clearinghouse.Grains;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Every grain call the gateway makes is bounded, and a failure of the cluster is reported for what it is: a call that
/// hangs (a frozen silo, here a storage that never answers) ends with DEADLINE_EXCEEDED after the configured bound;
/// a storage failure is UNAVAILABLE saying so.
/// </summary>
public class GrainCallFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_write_to_a_grain_that_does_not_answer_ends_with_DEADLINE_EXCEEDED_after_the_configured_bound()
    {
        var storage = new StallingStorage();
        await using var host = await StartAsync(storage);
        var recipient = $"stalled-write@{TestTenants.AcmeDomain}";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "first.example", Action = RecordAction.Reject });

        storage.StallWritesOf(TestTenants.RecipientKey(recipient));
        var timer = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "second.example", Action = RecordAction.Reject }));
        timer.Stop();

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("did not answer within 1 s", error.Status.Detail);
        Assert.Contains("may still take effect", error.Status.Detail);
        Assert.InRange(timer.Elapsed, Bound, Bound + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_check_of_a_recipient_whose_grain_does_not_answer_ends_with_DEADLINE_EXCEEDED_and_a_stream_goes_on()
    {
        var storage = new StallingStorage();
        await using var host = await StartAsync(storage);
        var stalled = $"stalled-check@{TestTenants.AcmeDomain}";
        var healthy = $"healthy-check@{TestTenants.AcmeDomain}";
        storage.StallReadsOf(TestTenants.RecipientKey(stalled));

        var timer = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = stalled, Sender = "a@b.example" }));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(timer.Elapsed, Bound, Bound + TimeSpan.FromSeconds(3));

        var answers = await host.Verdicts().AskAsync(
            new CheckRecipientRequest { Recipient = stalled, Sender = "a@b.example" },
            new CheckRecipientRequest { Recipient = healthy, Sender = "a@b.example" });

        Assert.Equal((int)StatusCode.DeadlineExceeded, answers[1].Error.Code);
        Assert.Contains("did not answer within", answers[1].Error.Message);
        Assert.Equal(VerdictAction.Accept, answers[2].Verdict.Action);
    }

    [Fact]
    public async Task A_storage_failure_is_UNAVAILABLE_saying_that_storage_failed()
    {
        var storage = new StallingStorage();
        await using var host = await StartAsync(storage);
        var recipient = $"failing-write@{TestTenants.AcmeDomain}";
        storage.FailWritesOf(TestTenants.RecipientKey(recipient));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith("storage did not complete the read or write", error.Status.Detail);
    }

    private static Task<ClearinghouseTestHost> StartAsync(StallingStorage storage) =>
        ClearinghouseTestHost.StartAsync(
            new Dictionary<string, string?> { ["Clearinghouse:Gateway:GrainCallTimeout"] = "00:00:01", ["Clearinghouse:Gateway:WriteCallTimeout"] = "00:00:01" },
            services => services.AddKeyedSingleton<IGrainStorage>(StorageNames.Clearinghouse, (provider, _) => storage.Over(new RecordingGrainStorage(provider.GetRequiredService<Serializer>()))));

    /// <summary>Real (recording) storage that stalls or fails the reads or writes of chosen grains on request.</summary>
    private sealed class StallingStorage : IGrainStorage
    {
        private static readonly TimeSpan Stall = TimeSpan.FromSeconds(10);
        private readonly ConcurrentDictionary<string, string> faults = new();
        private IGrainStorage inner = null!;

        public StallingStorage Over(IGrainStorage storage)
        {
            inner = storage;
            return this;
        }

        public void StallReadsOf(string key) => faults[key] = "stall-read";

        public void StallWritesOf(string key) => faults[key] = "stall-write";

        public void FailWritesOf(string key) => faults[key] = "fail-write";

        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (faults.TryGetValue(grainId.Key.ToString()!, out var fault) && fault == "stall-read")
            {
                await Task.Delay(Stall);
            }

            await inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults.TryGetValue(grainId.Key.ToString()!, out var fault);
            if (fault == "fail-write")
            {
                throw new IOException("storage unreachable");
            }

            if (fault == "stall-write")
            {
                await Task.Delay(Stall);
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
