using System.Globalization;
using Clearinghouse.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Clearinghouse.Grains.FilterList;

/// <summary>
/// The filter list in grain storage as an append-only log, through <see cref="IGrainStorage"/> with one state name per
/// piece, so that it works on every provider (memory, Redis, Azure Table/Blob). An append writes one record: the change
/// (<c>filterlist-change-{version}</c>), whatever the size of the list; a batch of changes (an import) writes one record
/// per segment it reaches into (<see cref="FilterListChangeRecord.Following"/>). Every <see cref="FilterListHead.SegmentSize"/>
/// changes are sealed into one segment (<c>filterlist-segment-{n}</c>), the head is updated and the change records are
/// deleted, so a list loads in (changes / segment size) reads and storage holds each change once. A list stored whole by
/// an earlier version (state <c>filterlist</c>) becomes the base (<c>filterlist-base-{n}</c>) on first load.
/// Not thread-safe: the filter-list grain's.
/// </summary>
public sealed partial class FilterListStore(IGrainStorage storage, GrainId grainId, int configuredSegmentSize, ILogger logger)
{
    public const string HeadState = "filterlist-head";
    public const string LegacyState = "filterlist";

    // Changes not yet in a segment, oldest first, each with the version its record is stored under and that record's
    // storage ETag (to delete the record once sealed).
    private readonly List<(FilterChange Change, long Record, string? ETag)> unsealed = [];

    // Changes appended in memory and not yet written, oldest first, as appended together (one, or an import's batch).
    private readonly List<IReadOnlyList<FilterChange>> unwritten = [];
    private readonly GrainState<FilterListHead> head = new(new FilterListHead { SegmentSize = configuredSegmentSize });
    private bool sealing;

    private FilterListHead Head => head.State!;

    public int SegmentSize => Head.SegmentSize;

    /// <summary>Changes appended since the last sealed segment.</summary>
    public int Unsealed => unsealed.Count;

    public static string BaseState(int chunk) => "filterlist-base-" + chunk.ToString(CultureInfo.InvariantCulture);

    public static string SegmentState(int segment) => "filterlist-segment-" + segment.ToString(CultureInfo.InvariantCulture);

    public static string ChangeState(long version) => "filterlist-change-" + version.ToString(CultureInfo.InvariantCulture);

    /// <summary>Loads the stored list into <paramref name="log"/> (empty): base, sealed segments, then the change records after them.</summary>
    public async Task LoadAsync(FilterListLog log)
    {
        await storage.ReadStateAsync(HeadState, grainId, head);
        if (!head.RecordExists)
        {
            head.State = new FilterListHead { SegmentSize = configuredSegmentSize };
            await MigrateWholeListAsync();
        }

        var listed = new List<FilterChange>();
        for (var chunk = 0; chunk < Head.BaseChunks; chunk++)
        {
            listed.AddRange((await ReadAsync<FilterListSegment>(BaseState(chunk))).State!.Changes);
        }

        log.Reset(listed, Head.BaseVersion);
        for (var segment = 0; segment < Head.SealedSegments; segment++)
        {
            foreach (var change in (await ReadAsync<FilterListSegment>(SegmentState(segment))).State!.Changes)
            {
                log.Apply(change);
            }
        }

        while (true)
        {
            var record = await ReadAsync<FilterListChangeRecord>(ChangeState(log.Version + 1));
            if (record.State!.Change is not { } change)
            {
                break;
            }

            foreach (var stored in (FilterChange[])[change, .. record.State.Following ?? []])
            {
                log.Apply(stored);
                unsealed.Add((stored, change.Version, record.ETag));
            }
        }

        await DeleteSealedRecordsAsync();
    }

    /// <summary>Stores one appended change: a single write of the change alone. Fails if that version is already stored.</summary>
    public async Task AppendAsync(FilterChange change)
    {
        Append(change);
        await WriteAppendedAsync();
    }

    /// <summary>Notes a change appended in memory, for <see cref="WriteAppendedAsync"/>.</summary>
    public void Append(FilterChange change) => unwritten.Add([change]);

    /// <summary>
    /// Notes changes appended in memory together (consecutive versions), for <see cref="WriteAppendedAsync"/>: they are
    /// written as one record per segment they fall in, not one per change.
    /// </summary>
    public void Append(IReadOnlyList<FilterChange> changes)
    {
        if (changes.Count > 0)
        {
            unwritten.Add(changes);
        }
    }

    /// <summary>Writes every change appended and not yet written, in version order: one record per change, or per batch and segment.</summary>
    public async Task WriteAppendedAsync()
    {
        while (unwritten.Count > 0)
        {
            // A record stops at the end of a segment, so that sealing a segment deletes whole records.
            var batch = unwritten[0];
            var first = batch[0];
            var toSegmentEnd = (int)(SegmentSize - ((first.Version - Head.BaseVersion - 1) % SegmentSize));
            var changes = batch.Take(Math.Min(batch.Count, toSegmentEnd)).ToArray();

            // No ETag: the write creates the record, and fails if another activation already stored this version.
            var record = new GrainState<FilterListChangeRecord>(new FilterListChangeRecord { Change = first, Following = changes.Length > 1 ? changes[1..] : null });
            await storage.WriteStateAsync(ChangeState(first.Version), grainId, record);
            foreach (var change in changes)
            {
                unsealed.Add((change, first.Version, record.ETag));
            }

            if (changes.Length == batch.Count)
            {
                unwritten.RemoveAt(0);
            }
            else
            {
                unwritten[0] = batch.Skip(changes.Length).ToArray();
            }
        }
    }

    /// <summary>
    /// Seals the oldest <see cref="SegmentSize"/> unsealed changes into a segment, records it in the head, then deletes
    /// their records. Appends may interleave (they only add at the end).
    /// </summary>
    public async Task SealAsync()
    {
        if (sealing)
        {
            return;
        }

        sealing = true;
        try
        {
            while (unsealed.Count >= SegmentSize)
            {
                var segment = Head.SealedSegments;
                var batch = unsealed.GetRange(0, SegmentSize);
                await WriteSegmentAsync(SegmentState(segment), batch.Select(c => c.Change));
                Head.SealedSegments = segment + 1;
                await storage.WriteStateAsync(HeadState, grainId, head);
                unsealed.RemoveRange(0, SegmentSize);
                await DeleteAsync(batch);
                Head.CleanedThrough = Head.SealedThrough;
            }
        }
        finally
        {
            sealing = false;
        }
    }

    /// <summary>
    /// A bulk path: stores <paramref name="changes"/> (versions from the list's next one, without gaps) as sealed
    /// segments directly, for seeding or importing a large list. Only for a list with no unsealed changes.
    /// </summary>
    public async Task ImportAsync(IEnumerable<FilterChange> changes)
    {
        if (unsealed.Count > 0)
        {
            throw new InvalidOperationException("import only into a list whose changes are all sealed");
        }

        foreach (var batch in changes.Chunk(SegmentSize))
        {
            if (batch.Length < SegmentSize)
            {
                foreach (var change in batch)
                {
                    await AppendAsync(change);
                }

                break;
            }

            await WriteSegmentAsync(SegmentState(Head.SealedSegments), batch);
            Head.SealedSegments++;
            Head.CleanedThrough = Head.SealedThrough;
            await storage.WriteStateAsync(HeadState, grainId, head);
        }
    }

    // A segment may exist already when an earlier activation wrote it and stopped before the head recorded it: read it
    // for its ETag, then overwrite it.
    private async Task WriteSegmentAsync(string stateName, IEnumerable<FilterChange> changes)
    {
        var segment = await ReadAsync<FilterListSegment>(stateName);
        segment.State = new FilterListSegment { Changes = [.. changes] };
        await storage.WriteStateAsync(stateName, grainId, segment);
    }

    // After a stop between sealing a segment and deleting its change records, they are deleted at the next load.
    private async Task DeleteSealedRecordsAsync()
    {
        if (Head.CleanedThrough >= Head.SealedThrough || !head.RecordExists)
        {
            return;
        }

        var leftover = new List<(FilterChange Change, long Record, string? ETag)>();
        for (var version = Math.Max(Head.CleanedThrough, Head.SealedThrough - SegmentSize) + 1; version <= Head.SealedThrough; version++)
        {
            var record = await ReadAsync<FilterListChangeRecord>(ChangeState(version));
            if (record.State!.Change is { } change)
            {
                leftover.Add((change, change.Version, record.ETag));
            }
        }

        await DeleteAsync(leftover);
        Head.CleanedThrough = Head.SealedThrough;
        await storage.WriteStateAsync(HeadState, grainId, head);
    }

    private async Task DeleteAsync(IEnumerable<(FilterChange Change, long Record, string? ETag)> changes)
    {
        foreach (var (record, etag) in changes.Select(c => (c.Record, c.ETag)).Distinct())
        {
            try
            {
                await storage.ClearStateAsync(ChangeState(record), grainId, new GrainState<FilterListChangeRecord>(new FilterListChangeRecord()) { ETag = etag, RecordExists = true });
            }
            catch (Exception error)
            {
                // The changes are in their segment: a record left behind is never read again, only takes space.
                LogDeleteFailed(error, record);
            }
        }
    }

    // The list as stored before the log layout: its listed entries become the base, in chunks of the segment size.
    private async Task MigrateWholeListAsync()
    {
        var legacy = await ReadAsync<FilterListData>(LegacyState);
        if (!legacy.RecordExists || legacy.State!.Version == 0)
        {
            return;
        }

        var chunks = legacy.State!.Listed.Values.OrderBy(c => c.Version).Chunk(SegmentSize).ToList();
        for (var chunk = 0; chunk < chunks.Count; chunk++)
        {
            await WriteSegmentAsync(BaseState(chunk), chunks[chunk]);
        }

        Head.BaseVersion = legacy.State!.Version;
        Head.BaseChunks = chunks.Count;
        Head.CleanedThrough = legacy.State!.Version;
        await storage.WriteStateAsync(HeadState, grainId, head);
        LogMigrated(legacy.State!.Listed.Count, legacy.State!.Version);
    }

    private async Task<GrainState<T>> ReadAsync<T>(string stateName)
        where T : new()
    {
        var state = new GrainState<T>(new T());
        await storage.ReadStateAsync(stateName, grainId, state);
        state.State ??= new T();
        return state;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the stored record of filter-list change {Version} failed (it is sealed in a segment; the record only takes space)")]
    private partial void LogDeleteFailed(Exception error, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved the filter list stored whole ({Count} entries, version {Version}) into the segmented layout")]
    private partial void LogMigrated(int count, long version);
}
