using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// Closed-loop verdict callers over seeded recipients (each rejects <c>blocked@spam.example</c>); every answer is
/// checked, so a wrong verdict during failover is counted apart from a failed call.
/// </summary>
public sealed class VerdictWorkload : IChaosWorkload
{
    private const string Blocked = "blocked@spam.example";
    private const string Stranger = "someone@elsewhere.example";
    private readonly CallTimeline timeline = new();
    private long wrong;

    public string Name => "verdicts";

    public static string Recipient(int i) => $"verdict{i}@{HarnessTenant.Domain}";

    public async Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, context.Options.VerdictRecipients), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            await ChaosContext.RetryAsync(
                async () => await new Records.RecordsClient(context.NextInvoker()).AddRecordAsync(new AddRecordRequest { Recipient = Recipient(i), Pattern = Blocked, Action = RecordAction.Reject, Message = "no" }, deadline: ChaosContext.Deadline(), cancellationToken: ct),
                ct);
        });
    }

    public async Task RunAsync(ChaosContext context, CancellationToken stop)
    {
        var callers = Enumerable.Range(0, context.Options.VerdictCallers).Select(async caller =>
        {
            var random = new Random(caller);
            while (!stop.IsCancellationRequested)
            {
                var blocked = random.Next(2) == 0;
                var request = new CheckRecipientRequest { Recipient = Recipient(random.Next(context.Options.VerdictRecipients)), Sender = blocked ? Blocked : Stranger };
                var failed = false;
                try
                {
                    var verdict = await new Verdicts.VerdictsClient(context.NextInvoker()).CheckRecipientAsync(request, deadline: ChaosContext.Deadline());
                    if (verdict.Action != (blocked ? VerdictAction.Reject : VerdictAction.Accept))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (RpcException)
                {
                    failed = true;
                }

                timeline.Record(context.Clock.Elapsed, failed);
            }
        });
        await Task.WhenAll(callers);
    }

    public Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var (calls, failures) = timeline.Total();
        var (windowCalls, windowFailures) = timeline.Between(context.FailoverWindow.Start, context.FailoverWindow.End);
        return Task.FromResult(new WorkloadResult(Name, calls, failures, windowCalls, windowFailures, Interlocked.Read(ref wrong), 0, 0, []));
    }
}
