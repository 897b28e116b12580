using System.Collections.Concurrent;
using Clearinghouse.Api.V1;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// Writers adding and removing records, each on recipients of its own, keeping a ledger of what the cluster
/// acknowledged. Afterwards every acknowledged add must be listed and every acknowledged removal must stay removed.
/// A write that failed is uncertain (it may or may not have happened) and is not held against the cluster.
/// </summary>
public sealed class RecordWriteWorkload : IChaosWorkload
{
    private readonly CallTimeline timeline = new();
    private readonly ConcurrentBag<Ledger> ledgers = [];

    public string Name => "record writes";

    public static string Recipient(int writer, int i) => $"writer{writer}-{i}@{HarnessTenant.Domain}";

    public Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RunAsync(ChaosContext context, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, context.Options.Writers).Select(writer => WriteAsync(context, writer, stop)));
    }

    public async Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        long acknowledged = 0, lost = 0;
        var examples = new ConcurrentQueue<string>();
        foreach (var ledger in ledgers)
        {
            acknowledged += ledger.AcknowledgedWrites;
            lost += ledger.LostDuringRun.Count;
            foreach (var problem in ledger.LostDuringRun)
            {
                examples.Enqueue(problem);
            }

            foreach (var recipient in ledger.Recipients)
            {
                var listed = await ListAsync(context, recipient, cancellationToken);
                foreach (var (pattern, id) in ledger.Present.GetValueOrDefault(recipient) ?? [])
                {
                    if (!listed.Contains(id))
                    {
                        lost++;
                        examples.Enqueue($"acknowledged add of {pattern} for {recipient} is missing");
                    }
                }

                foreach (var id in ledger.Removed.GetValueOrDefault(recipient) ?? [])
                {
                    if (listed.Contains(id))
                    {
                        lost++;
                        examples.Enqueue($"acknowledged removal of {id} for {recipient} came back");
                    }
                }
            }
        }

        return WorkloadResult.From(Name, context, timeline, acknowledgedWrites: acknowledged, lostWrites: lost, lostExamples: examples.Take(10).ToList());
    }

    // Reading back may itself meet a cluster still settling: it is retried before a write is called lost.
    private static async Task<HashSet<string>> ListAsync(ChaosContext context, string recipient, CancellationToken cancellationToken)
    {
        var listed = await ChaosContext.RetryAsync(
            async () => await new Records.RecordsClient(context.NextInvoker()).ListRecordsAsync(new ListRecordsRequest { Recipient = recipient }, deadline: ChaosContext.Deadline(), cancellationToken: cancellationToken),
            cancellationToken);
        return listed.Records.Select(r => r.Id).ToHashSet();
    }

    private async Task WriteAsync(ChaosContext context, int writer, CancellationToken stop)
    {
        var ledger = new Ledger(Enumerable.Range(0, context.Options.RecipientsPerWriter).Select(i => Recipient(writer, i)).ToArray());
        ledgers.Add(ledger);
        var random = new Random(writer);
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            if (random.Next(4) == 0 && ledger.TryPickPresent(random, out var recipient, out var pattern, out var id))
            {
                // Once asked to remove, the record is no longer expected, whatever the answer.
                ledger.Forget(recipient, pattern);
                var removal = new RemoveRecordRequest { Recipient = recipient, RecordId = id };
                var removed = await context.CallAsync(timeline, async invoker => await new Records.RecordsClient(invoker).RemoveRecordAsync(removal, deadline: ChaosContext.Deadline()), "write (remove)", recipient);
                if (removed.Value is { Removed: true })
                {
                    ledger.AcknowledgeRemoval(recipient, id);
                }
                else if (removed.Value is not null)
                {
                    ledger.LostDuringRun.Add($"acknowledged add of {pattern} for {recipient} was not there to remove");
                }
            }
            else
            {
                recipient = ledger.Recipients[random.Next(ledger.Recipients.Length)];
                pattern = $"w{writer}-{sequence++}@spam.example";
                var addition = new AddRecordRequest { Recipient = recipient, Pattern = pattern, Action = RecordAction.Reject };
                var added = await context.CallAsync(timeline, async invoker => await new Records.RecordsClient(invoker).AddRecordAsync(addition, deadline: ChaosContext.Deadline()), "write (add)", recipient);
                if (added.Value is { } answer)
                {
                    ledger.AcknowledgeAdd(recipient, pattern, answer.Record.Id);
                }
            }
        }
    }

    /// <summary>One writer's acknowledged writes. Used by that writer alone while it runs.</summary>
    private sealed class Ledger(string[] recipients)
    {
        public string[] Recipients { get; } = recipients;

        public Dictionary<string, Dictionary<string, string>> Present { get; } = [];

        public Dictionary<string, List<string>> Removed { get; } = [];

        public List<string> LostDuringRun { get; } = [];

        public long AcknowledgedWrites { get; private set; }

        public void AcknowledgeAdd(string recipient, string pattern, string id)
        {
            if (!Present.TryGetValue(recipient, out var patterns))
            {
                Present[recipient] = patterns = [];
            }

            patterns[pattern] = id;
            AcknowledgedWrites++;
        }

        public void AcknowledgeRemoval(string recipient, string id)
        {
            if (!Removed.TryGetValue(recipient, out var ids))
            {
                Removed[recipient] = ids = [];
            }

            ids.Add(id);
            AcknowledgedWrites++;
        }

        public void Forget(string recipient, string pattern) => Present[recipient].Remove(pattern);

        public bool TryPickPresent(Random random, out string recipient, out string pattern, out string id)
        {
            var candidates = Present.Where(p => p.Value.Count > 0).ToList();
            if (candidates.Count == 0)
            {
                (recipient, pattern, id) = ("", "", "");
                return false;
            }

            var chosen = candidates[random.Next(candidates.Count)];
            recipient = chosen.Key;
            (pattern, id) = chosen.Value.ElementAt(random.Next(chosen.Value.Count));
            return true;
        }
    }
}
