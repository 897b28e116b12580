using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// Keeps a sender's evidence sample (up to 20 whole reports, a few kilobytes) out of its checkpoint when the event
/// ring still holds them: a busy sender's sample changes with every report, and storing it whole at each checkpoint
/// cost more per report than the report's own entry. A checkpoint stores the items whose report was written in one of
/// the last <see cref="RecentBatches"/> batches as references (position, batch, index in the batch); loading reads
/// those batches back.
/// The ring is not overwritten there before the next checkpoint unless that many checkpoints in a row fail; an item
/// whose batch was overwritten even so is left out of the sample (the sample only; every count is in the snapshot).
/// </summary>
public sealed class SenderEvidence(int slots)
{
    private readonly Queue<(string Key, long Batch)> order = new();
    private readonly Dictionary<string, (long Batch, int Index)> writtenAt = new(StringComparer.Ordinal);

    /// <summary>How far back a reference may point: a quarter of the ring (checkpoints come every half).</summary>
    public int RecentBatches => slots / 4;

    /// <summary>Notes the batch the reports of <paramref name="events"/> are written in.</summary>
    public void Written(IReadOnlyList<SenderEvent> events, long batch)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Report is { } report)
            {
                writtenAt[report.ReportKey] = (batch, i);
                order.Enqueue((report.ReportKey, batch));
            }
        }

        while (order.TryPeek(out var oldest) && oldest.Batch <= batch - RecentBatches)
        {
            order.Dequeue();
            if (writtenAt.TryGetValue(oldest.Key, out var at) && at.Batch == oldest.Batch)
            {
                writtenAt.Remove(oldest.Key);
            }
        }
    }

    /// <summary>
    /// Replaces the sample in <paramref name="snapshot"/> (a copy to store at the checkpoint at batch
    /// <paramref name="checkpoint"/>) by references where it can.
    /// </summary>
    public SenderSnapshot ForCheckpoint(SenderSnapshot snapshot, long checkpoint)
    {
        var inline = new List<ViolationReport>();
        var references = new List<EvidenceReference>();
        var sample = snapshot.Ledger.Evidence;
        for (var i = 0; i < sample.Count; i++)
        {
            if (writtenAt.TryGetValue(sample[i].ReportKey, out var at) && at.Batch > checkpoint - RecentBatches && at.Batch <= checkpoint)
            {
                references.Add(new EvidenceReference(i, at.Batch, at.Index));
            }
            else
            {
                inline.Add(sample[i]);
            }
        }

        snapshot.Ledger.Evidence = inline;
        snapshot.EvidenceReferences = references;
        return snapshot;
    }

    /// <summary>Brings the referenced items of a stored snapshot back into its sample, in order.</summary>
    public static async Task ResolveAsync(SenderSnapshot snapshot, EventLog<SenderSnapshot, SenderEvent, LedgerEntry> log)
    {
        var references = snapshot.EvidenceReferences;
        if (references.Count == 0)
        {
            return;
        }

        var batches = await log.ReadBatchesAsync(references.Select(r => r.Batch));
        var inline = snapshot.Ledger.Evidence;
        var byPosition = references.ToDictionary(r => r.Position);
        var sample = new List<ViolationReport>(inline.Count + references.Count);
        var next = 0;
        for (var position = 0; position < inline.Count + references.Count; position++)
        {
            if (!byPosition.TryGetValue(position, out var reference))
            {
                sample.Add(inline[next++]);
            }
            else if (batches.TryGetValue(reference.Batch, out var events) && reference.Index < events.Count && events[reference.Index].Report is { } report)
            {
                sample.Add(report);
            }
        }

        snapshot.Ledger.Evidence = sample;
        snapshot.EvidenceReferences = [];
    }
}
