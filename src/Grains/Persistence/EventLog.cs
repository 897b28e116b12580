using System.Globalization;
using Orleans.Storage;

namespace Clearinghouse.Grains.Persistence;

/// <summary>
/// A grain's state stored so that a change writes only what changed, on any grain storage (memory, Redis, Azure):
/// each part is its own storage entry under a distinct state name.
/// <list type="bullet">
/// <item><c>{name}</c>, the head: the last checkpoint's snapshot (the grain's small, bounded state) and the list of
/// chunks.</item>
/// <item><c>{name}-e{slot}</c>, a ring of <see cref="Slots"/> event slots: each write after a checkpoint stores one
/// batch of events in the next slot, whatever the size of the rest of the state.</item>
/// <item><c>{name}-c{number}</c>, chunks of items (the grain's large state, e.g. one entry per report), written once at a
/// checkpoint and never rewritten; the owner drops those it no longer needs, oldest first. They are numbered in order,
/// so the head holds only the range of numbers kept (and a chunk's tag is in the chunk): the head's size does not grow
/// with the number of chunks. Chunks stored before they were numbered (<c>{name}-c{seq}-{i}</c>) stay listed in the
/// head one by one until they are dropped. With an <see cref="ILogItemCodec{TItem}"/> a chunk's items are stored in
/// its compact form; chunks stored as lists still read.</item>
/// </list>
/// A checkpoint (due every <see cref="Slots"/>/2 batches) writes new chunks, then the head, then clears dropped
/// chunks; until the head is written the previous checkpoint and the slots still hold everything, so a failure at any
/// point loses nothing. Loading reads the head, its chunks, and the slots after its checkpoint up to the first slot
/// that does not hold the next batch (a batch is written only after the one before it succeeded). Slots and chunks
/// keep their ETags, so two activations never overwrite each other unnoticed.
/// Not thread-safe: use it from one grain, as the write of its <see cref="StateWriter"/>.
/// </summary>
public sealed class EventLog<TSnapshot, TEvent, TItem>(IGrainStorage storage, GrainId grain, string name, int slots = EventLog<TSnapshot, TEvent, TItem>.DefaultSlots, ILogItemCodec<TItem>? codec = null)
{
    public const int DefaultSlots = 256;

    private const int ProbeBatch = 8;

    // A bound on the left-over chunks looked for (a checkpoint writes one chunk per 1,024 items; the ledgers' never reach this).
    private const int MaxLeftOverChunks = 1024;

    private readonly string?[] slotETags = new string?[slots];
    private readonly Dictionary<string, string?> chunkETags = new(StringComparer.Ordinal);
    private LogHead<TSnapshot> head = new();
    private string? headETag;

    // The numbered chunks kept (FirstChunk onwards), with their tags.
    private List<LogChunkInfo> numbered = [];

    public int Slots => slots;

    /// <summary>The last event batch stored (0 when none).</summary>
    public long LastSeq { get; private set; }

    public long CheckpointSeq => head.CheckpointSeq;

    /// <summary>The chunks stored, oldest first (listed ones, then numbered ones).</summary>
    public IReadOnlyList<LogChunkInfo> Chunks => [.. head.Chunks, .. numbered];

    /// <summary>What is stored: the snapshot (null before the first checkpoint), the chunks' items, the later events.</summary>
    public sealed record Contents(TSnapshot? Snapshot, IReadOnlyList<(LogChunkInfo Chunk, List<TItem> Items)> Chunks, IReadOnlyList<TEvent> Events);

    public async Task<Contents> LoadAsync()
    {
        var stored = new GrainState<LogHead<TSnapshot>>();
        await storage.ReadStateAsync(name, grain, stored);
        head = stored.RecordExists && stored.State is { } found ? found : new LogHead<TSnapshot>();
        headETag = stored.ETag;

        var listed = head.Chunks.Select(info => ReadChunkAsync(info.Id, info.Tag));
        var numbers = Enumerable.Range(0, (int)(head.NextChunk - head.FirstChunk)).Select(i => NumberOf(head.FirstChunk + i));
        var chunks = await Task.WhenAll(listed.Concat(numbers.Select(id => ReadChunkAsync(id, null))));
        numbered = [.. chunks.Skip(head.Chunks.Count).Select(c => c.Chunk)];

        var events = new List<TEvent>();
        LastSeq = head.CheckpointSeq;
        var probing = true;
        for (var probe = 1; probing; probe = ProbeBatch)
        {
            // One slot first (most grains have nothing after their checkpoint), then several at a time.
            var batch = await Task.WhenAll(Enumerable.Range(1, probe).Select(i => ReadSlotAsync(LastSeq + i)));
            foreach (var (seq, slot) in batch)
            {
                if (slot?.Seq != seq || seq - head.CheckpointSeq > slots)
                {
                    probing = false;
                    break;
                }

                events.AddRange(slot.Events);
                LastSeq = seq;
            }
        }

        // A checkpoint that failed before its head was written may have left chunks under the next numbers: their
        // ETags are needed to overwrite them. A checkpoint was due (and its batch stored first) only if this many
        // batches follow the head.
        for (var next = head.NextChunk; LastSeq - head.CheckpointSeq >= slots / 2 && next < head.NextChunk + MaxLeftOverChunks; next++)
        {
            var leftOver = new GrainState<LogChunk<TItem>>();
            await storage.ReadStateAsync(ChunkName(NumberOf(next)), grain, leftOver);
            if (!leftOver.RecordExists || leftOver.ETag is null)
            {
                break;
            }

            chunkETags[NumberOf(next)] = leftOver.ETag;
        }

        // The slots the next batches overwrite hold older batches: their ETags are needed to overwrite them.
        var overwritten = Enumerable.Range(1, slots).Select(i => LastSeq + i).Where(seq => seq > slots && slotETags[Slot(seq)] is null);
        await Task.WhenAll(overwritten.Select(seq => ReadSlotAsync(seq - slots)));
        return new Contents(head.Snapshot, chunks, events);
    }

    /// <summary>
    /// The events of the stored batches <paramref name="seqs"/> that the ring still holds, by batch (a batch
    /// overwritten since is left out), e.g. to bring back what a snapshot refers to instead of holding it.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, List<TEvent>>> ReadBatchesAsync(IEnumerable<long> seqs)
    {
        var read = await Task.WhenAll(seqs.Distinct().Where(seq => seq > 0 && seq > LastSeq - slots).Select(ReadSlotAsync));
        return read.Where(r => r.Slot?.Seq == r.Seq).ToDictionary(r => r.Seq, r => r.Slot!.Events);
    }

    /// <summary>
    /// Stores <paramref name="events"/> as one batch in the next slot and, when a checkpoint is due, the checkpoint
    /// <paramref name="takeCheckpoint"/> gives. It is taken before anything is awaited, so that it reflects exactly the
    /// batches stored up to this one (later changes wait for the next write). Nothing is written for no events.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<TEvent> events, Func<LogCheckpoint<TSnapshot, TItem>> takeCheckpoint)
    {
        if (events.Count == 0)
        {
            return;
        }

        var checkpoint = LastSeq + 1 - head.CheckpointSeq >= slots / 2 ? takeCheckpoint() : null;
        await AppendAsync(events);
        if (checkpoint is not null)
        {
            await CheckpointAsync(checkpoint);
        }
    }

    private async Task AppendAsync(IReadOnlyList<TEvent> events)
    {
        var seq = LastSeq + 1;
        if (seq - head.CheckpointSeq > slots)
        {
            throw new InvalidOperationException($"the event ring of {name} is full: checkpoint first");
        }

        var state = new GrainState<LogSlot<TEvent>>(new LogSlot<TEvent> { Seq = seq, Events = [.. events] }, slotETags[Slot(seq)]);
        await storage.WriteStateAsync(SlotName(Slot(seq)), grain, state);
        slotETags[Slot(seq)] = state.ETag;
        LastSeq = seq;
    }

    /// <summary>Checkpoints at the last batch stored: the new chunks, then the head, then clears the dropped chunks.</summary>
    private async Task CheckpointAsync(LogCheckpoint<TSnapshot, TItem> checkpoint)
    {
        var newChunks = checkpoint.NewChunks;
        var added = new List<LogChunkInfo>();
        for (var i = 0; i < newChunks.Count; i++)
        {
            var info = new LogChunkInfo(NumberOf(head.NextChunk + i), newChunks[i].Tag);
            var stored = new LogChunk<TItem> { Tag = info.Tag };
            if (codec is not null)
            {
                stored.Packed = codec.Pack(newChunks[i].Items);
            }
            else
            {
                stored.Items = newChunks[i].Items;
            }

            var chunk = new GrainState<LogChunk<TItem>>(stored, chunkETags.GetValueOrDefault(info.Id));
            await storage.WriteStateAsync(ChunkName(info.Id), grain, chunk);
            chunkETags[info.Id] = chunk.ETag;
            added.Add(info);
        }

        // Numbered chunks are dropped oldest first only, so that the kept ones stay one range.
        var droppedListed = head.Chunks.Where(checkpoint.Drop).ToList();
        var droppedNumbered = numbered.TakeWhile(checkpoint.Drop).ToList();
        var next = new LogHead<TSnapshot>
        {
            CheckpointSeq = LastSeq,
            Chunks = [.. head.Chunks.Except(droppedListed)],
            Snapshot = checkpoint.Snapshot,
            FirstChunk = head.FirstChunk + droppedNumbered.Count,
            NextChunk = head.NextChunk + added.Count,
        };
        var state = new GrainState<LogHead<TSnapshot>>(next, headETag);
        await storage.WriteStateAsync(name, grain, state);
        head = next;
        headETag = state.ETag;
        numbered = [.. numbered.Skip(droppedNumbered.Count), .. added];

        foreach (var info in droppedListed.Concat(droppedNumbered))
        {
            var chunk = new GrainState<LogChunk<TItem>>(new LogChunk<TItem>(), chunkETags.GetValueOrDefault(info.Id));
            await storage.ClearStateAsync(ChunkName(info.Id), grain, chunk);
            chunkETags.Remove(info.Id);
        }
    }

    /// <summary>Reads a chunk; a numbered one (<paramref name="listedTag"/> null) carries its own tag.</summary>
    private async Task<(LogChunkInfo Chunk, List<TItem> Items)> ReadChunkAsync(string id, long? listedTag)
    {
        var chunk = new GrainState<LogChunk<TItem>>();
        await storage.ReadStateAsync(ChunkName(id), grain, chunk);
        chunkETags[id] = chunk.ETag;
        var stored = chunk.State;
        var items = stored?.Packed switch
        {
            null => stored?.Items ?? [],
            { } packed when codec is not null => codec.Unpack(packed),
            _ => throw new InvalidOperationException($"chunk {ChunkName(id)} is packed and the log {name} has no codec"),
        };
        return (new LogChunkInfo(id, listedTag ?? stored?.Tag ?? 0), items);
    }

    private async Task<(long Seq, LogSlot<TEvent>? Slot)> ReadSlotAsync(long seq)
    {
        var state = new GrainState<LogSlot<TEvent>>();
        await storage.ReadStateAsync(SlotName(Slot(seq)), grain, state);
        slotETags[Slot(seq)] = state.ETag;
        return (seq, state.RecordExists ? state.State : null);
    }

    private int Slot(long seq) => (int)(seq % slots);

    private string SlotName(int slot) => $"{name}-e{slot}";

    private string ChunkName(string id) => $"{name}-c{id}";

    private static string NumberOf(long chunk) => chunk.ToString(CultureInfo.InvariantCulture);
}
