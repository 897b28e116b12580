using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// How a <see cref="ViolationLedger"/>'s entries are stored at a checkpoint: the entries added since the last one, in
/// chunks of at most <see cref="Size"/> tagged with their newest entry's number; a chunk is dropped once the ledger has
/// forgotten all its entries.
/// </summary>
public static class LedgerChunks
{
    public const int Size = 1024;

    public static LogCheckpoint<TSnapshot, LedgerEntry> Checkpoint<TSnapshot>(TSnapshot snapshot, ViolationLedger ledger)
    {
        var chunks = ledger.TakeUnsaved().Chunk(Size).Select(chunk => (chunk.ToList(), chunk[^1].Number)).ToList();
        var forgotten = ledger.ForgottenThrough;
        return new LogCheckpoint<TSnapshot, LedgerEntry>(snapshot, chunks, chunk => chunk.Tag <= forgotten);
    }
}
