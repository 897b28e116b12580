using Clearinghouse.Api.V1;
using Clearinghouse.Grains;
using Clearinghouse.Grains.Persistence;
using Clearinghouse.TestSupport.Chaos;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// A provider's batch of violation reports (<c>Reports/SubmitViolations</c>) over gRPC: results per item in order, a bad
/// item fails alone and named, the same idempotency keys as a single report, a threshold passed inside a batch, the
/// limit per call, and a sender's write that fails mid-batch: its items fail retryably, and the batch sent again counts
/// each report exactly once.
/// </summary>
public sealed class ReportBatchTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private ClearinghouseTestHost host = null!;
    private FaultInjectingGrainStorage storage = null!;

    public static TheoryData<WriteFault> Faults => new() { WriteFault.FailBeforeWriting, WriteFault.TimeoutAfterWriting };

    public async Task InitializeAsync()
    {
        host = await ClearinghouseTestHost.StartAsync(configureServices: services => FaultInjectingGrainStorage.Decorate(services, StorageNames.Clearinghouse));
        storage = host.Services.GetRequiredService<FaultInjectingGrainStorage>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Each_report_has_its_own_result_in_order_and_bad_items_fail_alone()
    {
        var (first, second) = (NewSender(), NewSender());
        var recipient = NewRecipient();
        var missingEvidence = Report("r-2", NewRecipient(), first);
        missingEvidence.SecondMessage = null;
        var badDate = Report("r-5", NewRecipient(), second);
        badDate.SecondMessage.Date.Nanos = -1;
        var batch = Batch(
            Report("r-0", recipient, first),
            Report("r-1", NewRecipient(), first),
            missingEvidence,
            Report("r-3", $"r-{Guid.NewGuid():N}@{TestTenants.OtherDomain}", first),
            Report("r-4", "no at sign", second),
            badDate,
            Report("r-6", NewRecipient(), second),
            Report("r-0", recipient, first));

        var answer = await host.Reports().SubmitViolationsAsync(batch);

        Assert.Equal(batch.Reports.Count, answer.Results.Count);
        Assert.Equal((3u, 1u, 4u), (answer.Accepted, answer.Duplicates, answer.Failed));
        Assert.All(new[] { 0, 1, 6 }, i => Assert.Equal(((int)StatusCode.OK, false, ""), (answer.Results[i].Code, answer.Results[i].Duplicate, answer.Results[i].Error)));
        Assert.Equal(EscalationState.None, answer.Results[0].SenderState);
        Assert.Equal(SenderAuthentication.Unverified, answer.Results[0].Authentication);
        AssertFailed(answer.Results[2], StatusCode.InvalidArgument, "reports[2].second_message:");
        AssertFailed(answer.Results[3], StatusCode.PermissionDenied, "reports[3].recipient:");
        AssertFailed(answer.Results[4], StatusCode.InvalidArgument, "reports[4].recipient:");
        AssertFailed(answer.Results[5], StatusCode.InvalidArgument, "reports[5].second_message.date:");

        // The same report twice in one batch: counted once, the second answered as a duplicate.
        Assert.Equal(((int)StatusCode.OK, true), (answer.Results[7].Code, answer.Results[7].Duplicate));
        Assert.Equal(2ul, (await Sender(first)).TotalReports);
        Assert.Equal(1ul, (await Sender(second)).TotalReports);
    }

    [Fact]
    public async Task A_report_sent_alone_and_in_a_batch_counts_once_whichever_comes_first()
    {
        var sender = NewSender();
        var (alone, batched) = (NewRecipient(), NewRecipient());
        Assert.False((await host.Reports().SubmitViolationAsync(Report("alone", alone, sender))).Duplicate);

        // The same violations under other report ids: alone, then in a batch; in a batch, then alone.
        var answer = await host.Reports().SubmitViolationsAsync(Batch(SameViolation(Report("alone", alone, sender), "id-2"), Report("batched", batched, sender)));
        Assert.Equal((true, false), (answer.Results[0].Duplicate, answer.Results[1].Duplicate));
        Assert.True((await host.Reports().SubmitViolationAsync(SameViolation(Report("batched", batched, sender), "id-3"))).Duplicate);

        // The whole batch again (an answer lost): every item a duplicate.
        var again = await host.Reports().SubmitViolationsAsync(Batch(Report("alone", alone, sender), Report("batched", batched, sender)));
        Assert.Equal((0u, 2u, 0u), (again.Accepted, again.Duplicates, again.Failed));

        var status = await Sender(sender);
        Assert.Equal((2ul, 2u), (status.TotalReports, status.Standing.DistinctRecipients));
    }

    [Fact]
    public async Task A_batch_that_passes_the_threshold_opens_one_case_and_the_sender_is_listed()
    {
        var sender = NewSender();
        var first = await host.Reports().SubmitViolationsAsync(Batch([.. Enumerable.Range(0, 4).Select(i => Report($"acme-{i}", NewRecipient(), sender))]));
        Assert.Equal(4u, first.Accepted);
        Assert.All(first.Results, r => Assert.Equal(EscalationState.None, r.SenderState));

        // Another provider's two reports: the sixth distinct recipient (from two providers) passes the threshold of 5.
        var second = await host.Reports(TestTenants.OtherKey).SubmitViolationsAsync(Batch([.. Enumerable.Range(0, 2).Select(i => Report($"other-{i}", $"r-{Guid.NewGuid():N}@{TestTenants.OtherDomain}", sender))]));
        Assert.Equal(2u, second.Accepted);
        Assert.Equal(EscalationState.None, second.Results[0].SenderState);
        Assert.Contains(second.Results[1].SenderState, new[] { EscalationState.Escalated, EscalationState.Listed });

        var deadline = DateTime.UtcNow.AddSeconds(10);
        SenderReport status;
        while ((status = await Sender(sender)).State != EscalationState.Listed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal((EscalationState.Listed, 6ul, 2u), (status.State, status.TotalReports, status.Standing.DistinctProviders));
        Assert.NotEmpty(status.CaseId);
    }

    [Fact]
    public async Task A_batch_over_the_limit_or_empty_is_refused_naming_the_field_and_counts_nothing()
    {
        var sender = NewSender();
        var tooMany = Batch([.. Enumerable.Range(0, 1001).Select(i => Report($"many-{i}", NewRecipient(), sender))]);

        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Reports().SubmitViolationsAsync(tooMany).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("reports: holds 1001 items; at most 1000 per call", refused.Status.Detail);
        var empty = await Assert.ThrowsAsync<RpcException>(() => host.Reports().SubmitViolationsAsync(new SubmitViolationsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.StartsWith("reports:", empty.Status.Detail);

        Assert.Equal(0ul, (await Sender(sender)).TotalReports);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_senders_write_that_fails_mid_batch_fails_its_items_and_the_batch_sent_again_counts_each_report_once(WriteFault fault)
    {
        var (steady, failing, other) = (NewSender(), NewSender(), NewSender());
        var batch = Batch(
            Report("a-0", NewRecipient(), steady),
            Report("b-0", NewRecipient(), failing),
            Report("c-0", NewRecipient(), other),
            Report("b-1", NewRecipient(), failing),
            Report("a-1", NewRecipient(), steady),
            Report("b-2", NewRecipient(), failing));
        var failingGrain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<Contracts.ISender>(failing).GetGrainId();
        var failed = storage.Arm(fault, (_, grain, state) => grain == failingGrain && state is LogSlot<Domain.SenderEvent>);

        var answer = await host.Reports().SubmitViolationsAsync(batch);

        await failed;
        Assert.Equal((3u, 0u, 3u), (answer.Accepted, answer.Duplicates, answer.Failed));
        Assert.All(new[] { 1, 3, 5 }, i => Assert.Equal((int)StatusCode.Unavailable, answer.Results[i].Code));
        Assert.All(new[] { 0, 2, 4 }, i => Assert.Equal((int)StatusCode.OK, answer.Results[i].Code));

        // The caller sends the whole batch again: the reports already stored are duplicates, the failed ones count
        // now (or, when the failed write did reach storage, are duplicates too): each report is counted exactly once.
        var retried = await RetryUntilStoredAsync(batch);
        Assert.Equal(0u, retried.Failed);
        Assert.All(new[] { 0, 2, 4 }, i => Assert.True(retried.Results[i].Duplicate));
        Assert.All(new[] { 1, 3, 5 }, i => Assert.Equal(fault == WriteFault.TimeoutAfterWriting, retried.Results[i].Duplicate));
        Assert.Equal(2ul, (await Sender(steady)).TotalReports);
        Assert.Equal(3ul, (await Sender(failing)).TotalReports);
        Assert.Equal(1ul, (await Sender(other)).TotalReports);
        Assert.Equal(1, storage.Injected);
    }

    // The failed grain deactivates to reload from storage; a retry that reaches it while it does is UNAVAILABLE again.
    private async Task<SubmitViolationsResponse> RetryUntilStoredAsync(SubmitViolationsRequest batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await host.Reports().SubmitViolationsAsync(batch);
            if (answer.Failed == 0 || attempt == 20)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    private static void AssertFailed(SubmitViolationResult result, StatusCode code, string errorStart)
    {
        Assert.Equal((int)code, result.Code);
        Assert.StartsWith(errorStart, result.Error);
        Assert.False(result.Duplicate);
    }

    private async Task<SenderReport> Sender(string sender) =>
        await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });

    private static SubmitViolationsRequest Batch(params SubmitViolationRequest[] reports) => new() { Reports = { reports } };

    private static SubmitViolationRequest Report(string reportId, string recipient, string sender) =>
        ViolationReportWorkload.Report(reportId, recipient, sender, Now);

    /// <summary>The same violation (recipient, sender, second message) under another report id.</summary>
    private static SubmitViolationRequest SameViolation(SubmitViolationRequest report, string reportId)
    {
        var copy = report.Clone();
        copy.ReportId = reportId;
        return copy;
    }

    private static string NewSender() => $"s-{Guid.NewGuid():N}@bulk.example";

    private static string NewRecipient() => $"r-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
}
