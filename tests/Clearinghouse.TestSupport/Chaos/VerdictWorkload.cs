using Clearinghouse.Api.V1;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// Closed-loop verdict callers over seeded recipients (each rejects <c>blocked@spam.example</c>); every answer is
/// checked, so a wrong verdict during failover is counted apart from a failed call. Each reject is a hit on the
/// recipient's record: in a run without SIGKILL or SIGSTOP (nothing may die with hits in memory) every answered reject
/// must be counted in the record's hit count afterwards, once the silos have sent what their copies counted
/// (<see cref="ChaosOptions.HitsSettle"/>). A check of the blocked sender that failed at the caller (deadline, a silo
/// stopping) may still have been answered and counted by the cluster: a record may count up to that many hits more,
/// and more than that is counted twice.
/// </summary>
public sealed class VerdictWorkload : IChaosWorkload
{
    private const string Blocked = "blocked@spam.example";
    private const string Stranger = "someone@elsewhere.example";
    private readonly CallTimeline timeline = new();
    private long[] rejects = [];
    private long[] unsure = [];
    private ulong[] hitsBefore = [];
    private long wrong;

    public string Name => "verdicts";

    public static string Recipient(int i) => $"verdict{i}@{HarnessTenant.Domain}";

    public async Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        rejects = new long[context.Options.VerdictRecipients];
        unsure = new long[context.Options.VerdictRecipients];
        hitsBefore = new ulong[context.Options.VerdictRecipients];
        await Parallel.ForEachAsync(Enumerable.Range(0, context.Options.VerdictRecipients), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            // An earlier run on the same cluster may have hit this record already: it counts from where it stands.
            var before = await HitsAsync(context, i, ct);
            hitsBefore[i] = before ?? 0;
            if (before is null)
            {
                await ChaosContext.RetryAsync(
                    async () => await new Records.RecordsClient(context.NextInvoker()).AddRecordAsync(new AddRecordRequest { Recipient = Recipient(i), Pattern = Blocked, Action = RecordAction.Reject, Message = "no" }, deadline: ChaosContext.Deadline(), cancellationToken: ct),
                    ct);
            }
        });
    }

    /// <summary>The hit count of recipient <paramref name="i"/>'s record, or null when it has none yet.</summary>
    private static async Task<ulong?> HitsAsync(ChaosContext context, int i, CancellationToken cancellationToken)
    {
        var listed = await ChaosContext.RetryAsync(
            async () => await new Records.RecordsClient(context.NextInvoker()).ListRecordsAsync(new ListRecordsRequest { Recipient = Recipient(i) }, deadline: ChaosContext.Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
        return listed.Records.SingleOrDefault()?.HitCount;
    }

    public async Task RunAsync(ChaosContext context, CancellationToken stop)
    {
        var callers = Enumerable.Range(0, context.Options.VerdictCallers).Select(async caller =>
        {
            var random = new Random(caller);
            while (!stop.IsCancellationRequested)
            {
                var blocked = random.Next(2) == 0;
                var recipient = random.Next(context.Options.VerdictRecipients);
                var request = new CheckRecipientRequest { Recipient = Recipient(recipient), Sender = blocked ? Blocked : Stranger };
                var result = await context.CallAsync(timeline, async invoker => await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(request, deadline: ChaosContext.Deadline()), "check", request.Recipient);
                if (result.Value is { } verdict)
                {
                    if (verdict.Action != (blocked ? VerdictAction.Reject : VerdictAction.Accept))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                    else if (blocked)
                    {
                        Interlocked.Increment(ref rejects[recipient]);
                    }
                }
                else if (blocked)
                {
                    Interlocked.Increment(ref unsure[recipient]);
                }
            }
        });
        await Task.WhenAll(callers);
    }

    public async Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var result = WorkloadResult.From(Name, context, timeline, wrongAnswers: Interlocked.Read(ref wrong));
        if (context.Options.Fault is Fault.SiloKill or Fault.SiloPause)
        {
            return result; // a silo that dies takes the hits it held in memory with it (documented)
        }

        // Copies send their hits every HitReportInterval: wait until every answered reject is counted, or the bound.
        var hits = new long[rejects.Length];
        var settling = System.Diagnostics.Stopwatch.StartNew();
        var missingAt = new List<string>(); // how many were still missing as time went by (late is not lost)
        var nextMark = TimeSpan.FromSeconds(5);
        while (true)
        {
            for (var i = 0; i < rejects.Length; i++)
            {
                hits[i] = (long)((await HitsAsync(context, i, cancellationToken) ?? 0) - hitsBefore[i]);
            }

            var missing = Enumerable.Range(0, rejects.Length).Sum(i => Math.Max(0, rejects[i] - hits[i]));
            if (settling.Elapsed >= nextMark)
            {
                missingAt.Add($"{missing} at {settling.Elapsed.TotalSeconds:0} s");
                nextMark += TimeSpan.FromSeconds(5);
            }

            if (missing == 0 || settling.Elapsed >= context.Options.HitsSettle)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var problems = new List<string>();
        long counted = 0, answered = 0, lost = 0, twice = 0;
        for (var i = 0; i < rejects.Length; i++)
        {
            counted += hits[i];
            answered += rejects[i];
            if (hits[i] < rejects[i])
            {
                lost += rejects[i] - hits[i];
                problems.Add($"{Recipient(i)}: {rejects[i]} rejects answered, {hits[i]} hits counted");
            }
            else if (hits[i] > rejects[i] + unsure[i])
            {
                twice += hits[i] - rejects[i] - unsure[i];
                problems.Add($"{Recipient(i)}: {rejects[i]} rejects answered and {unsure[i]} unsure, {hits[i]} hits counted");
            }
        }

        return result with
        {
            LostHits = lost,
            DoubleCountedHits = twice,
            Notes =
            [
                $"hit counts ({settling.Elapsed.TotalSeconds:0.0} s after the load stopped): {counted} counted for {answered} rejects answered and {unsure.Sum()} unsure; {lost} lost, {twice} counted twice, on {problems.Count} recipients",
                $"hits not yet counted after the load stopped: {(missingAt.Count > 0 ? string.Join(", ", missingAt) : "none")}",
                .. problems.Take(5),
            ],
        };
    }
}
