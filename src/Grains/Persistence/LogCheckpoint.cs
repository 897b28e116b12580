namespace Clearinghouse.Grains.Persistence;

/// <summary>
/// What an <see cref="EventLog{TSnapshot, TEvent, TItem}"/> stores at a checkpoint: the snapshot, the new chunks
/// (each with its tag), and which stored chunks to drop.
/// </summary>
public sealed record LogCheckpoint<TSnapshot, TItem>(TSnapshot Snapshot, IReadOnlyList<(List<TItem> Items, long Tag)> NewChunks, Func<LogChunkInfo, bool> Drop);
