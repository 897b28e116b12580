using System.Collections.Concurrent;
using System.Globalization;
using Clearinghouse.Api.V1;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// Verdicts that change while they are checked: each recipient has one record for <c>flipper@flip.example</c> whose
/// action a writer flips between reject and allow (an add replaces the record of the same pattern), through the
/// gateways not under a fault; checkers ask through every gateway the load balancer routes to, a frozen one included.
/// A verdict is stale when a write acknowledged before its check began had changed it already: the last write
/// acknowledged by then, or any write begun before the check ended (acknowledged or not, it may have taken effect),
/// may be what it shows, and nothing older. Orleans' ETags keep a write that failed from taking effect after a later
/// acknowledged one.
/// </summary>
public sealed class VerdictFlipWorkload : IChaosWorkload
{
    private const string Flipper = "flipper@flip.example";
    private const int Writers = 2;
    private readonly CallTimeline timeline = new();
    private readonly ConcurrentQueue<(int Recipient, CallRecord Call, bool Rejected)> observations = new();
    private List<Write>[] histories = [];

    public string Name => "flipping verdicts";

    public static string Recipient(int i) => $"flip{i}@{HarnessTenant.Domain}";

    public async Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        histories = Enumerable.Range(0, context.Options.FlipRecipients).Select(_ => new List<Write>()).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, context.Options.FlipRecipients), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            await ChaosContext.RetryAsync(async () => await new Records.RecordsClient(context.NextInvoker()).AddRecordAsync(Flip(i, reject: true), deadline: ChaosContext.Deadline(), cancellationToken: ct), ct);
            histories[i].Add(new Write(true, TimeSpan.Zero, context.Clock.Elapsed));
        });
    }

    public Task RunAsync(ChaosContext context, CancellationToken stop)
    {
        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(() => WriteAsync(context, writer, stop)));
        var checkers = Enumerable.Range(0, context.Options.FlipCheckers).Select(checker => Task.Run(() => CheckAsync(context, checker, stop)));
        return Task.WhenAll(writers.Concat(checkers));
    }

    public Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var stale = new List<StaleVerdict>();
        foreach (var (recipient, call, rejected) in observations)
        {
            var history = histories[recipient];
            var last = history.FindLastIndex(w => w.Acknowledged is { } at && at < call.Started);
            var possible = history.Skip(last).Where((w, k) => k == 0 || w.Started < call.Ended).Select(w => w.Reject).ToHashSet();
            if (!possible.Contains(rejected))
            {
                stale.Add(new StaleVerdict(Recipient(recipient), call.Silo, call.Started, Describe(rejected), Describe(history[last].Reject)));
            }
        }

        // The flips around the first stale verdict of each recipient, for whoever investigates.
        var notes = new List<string> { $"{observations.Count} verdicts checked against {histories.Sum(h => h.Count)} flips" };
        foreach (var first in stale.GroupBy(v => v.Recipient).Select(g => g.MinBy(v => v.CheckedAt)!).Take(5))
        {
            var history = histories[int.Parse(first.Recipient[4..first.Recipient.IndexOf('@', StringComparison.Ordinal)], CultureInfo.InvariantCulture)];
            var around = history.Where(w => w.Started > first.CheckedAt - TimeSpan.FromSeconds(5) && w.Started < first.CheckedAt + TimeSpan.FromSeconds(1));
            notes.Add($"flips of {first.Recipient} around {first.CheckedAt.TotalSeconds:0.00} s: " + string.Join(", ", around.Select(w =>
                $"{(w.Reject ? "reject" : "allow")} begun {w.Started.TotalSeconds:0.00} s " + (w.Acknowledged is { } at ? $"acknowledged {at.TotalSeconds:0.00} s" : "failed"))));
        }

        return Task.FromResult(WorkloadResult.From(Name, context, timeline, wrongAnswers: stale.Count, acknowledgedWrites: histories.Sum(h => h.Count(w => w.Acknowledged is not null))) with
        {
            StaleVerdicts = stale.OrderBy(s => s.CheckedAt).ToList(),
            Notes = notes,
        });

        static string Describe(bool reject) => reject ? "reject" : "accept";
    }

    private static AddRecordRequest Flip(int recipient, bool reject) =>
        new() { Recipient = Recipient(recipient), Pattern = Flipper, Action = reject ? RecordAction.Reject : RecordAction.Allow, Message = "flip" };

    // Each writer owns the recipients i with i % Writers == writer, so each history is written by one task, in order.
    private async Task WriteAsync(ChaosContext context, int writer, CancellationToken stop)
    {
        var mine = Enumerable.Range(0, histories.Length).Where(i => i % Writers == writer).ToArray();
        var random = new Random(2000 + writer);
        while (!stop.IsCancellationRequested)
        {
            var recipient = mine[random.Next(mine.Length)];
            var history = histories[recipient];
            var reject = !history[^1].Reject;
            var started = context.Clock.Elapsed;
            var result = await context.CallAsync(timeline, async invoker => await new Records.RecordsClient(invoker).AddRecordAsync(Flip(recipient, reject), deadline: ChaosContext.Deadline()), "write (flip)", Recipient(recipient), avoidFaulted: true);
            history.Add(new Write(reject, started, result.Value is null ? null : result.Call.Ended));
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task CheckAsync(ChaosContext context, int checker, CancellationToken stop)
    {
        var random = new Random(3000 + checker);
        while (!stop.IsCancellationRequested)
        {
            var recipient = random.Next(histories.Length);
            var request = new CheckRecipientRequest { Recipient = Recipient(recipient), Sender = Flipper };
            var result = await context.CallAsync(timeline, async invoker => await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(request, deadline: ChaosContext.Deadline()), "check (flipped)", request.Recipient);
            if (result.Value is { } verdict)
            {
                observations.Enqueue((recipient, result.Call, verdict.Action == VerdictAction.Reject));
            }
        }
    }

    /// <summary>One flip: the action written, when the call began, and when it was acknowledged (null: it failed, and may or may not have taken effect).</summary>
    private sealed record Write(bool Reject, TimeSpan Started, TimeSpan? Acknowledged);
}
