namespace Clearinghouse.Domain;

/// <summary>
/// A recipient's records and the rules for choosing among them, over a <see cref="RecipientState"/>. Matching uses
/// a <see cref="RecordIndex"/>, so a check costs a few dictionary lookups, not a scan of the list.
/// The blocking list and the allow list are each bounded: adding to a full one first evicts an entry chosen by an
/// <see cref="EvictionPolicy"/> into the secondary list (bounded too), which only flags senders.
/// </summary>
public sealed class RecordBook
{
    private readonly RecipientState state;
    private readonly TimeSpan hitHalfLife;
    private RecordIndex index;
    private RecordIndex secondaryIndex;

    public RecordBook(RecipientState state, TimeSpan hitHalfLife)
    {
        this.state = state;
        this.hitHalfLife = hitHalfLife;
        index = RecordIndex.Build(state.Records);
        secondaryIndex = BuildSecondaryIndex();
    }

    public int Count => state.Records.Count;

    public IReadOnlyList<BlockingRecord> Records => state.Records;

    public IReadOnlyList<EvictedRecord> Secondary => state.Secondary;

    public int? MaxRecordsOverride
    {
        get => state.MaxRecordsOverride;
        set => state.MaxRecordsOverride = value;
    }

    /// <summary>The maximum size of each list: the recipient's own, else the provider's default, else the server's.</summary>
    public int MaxRecords(ListPolicy? policy, int defaultMaxRecords) =>
        state.MaxRecordsOverride ?? policy?.ProviderMaxRecords ?? defaultMaxRecords;

    public ListInfo Info(ListPolicy? policy, int defaultMaxRecords, int secondaryMaxRecords) =>
        new(MaxRecords(policy, defaultMaxRecords), state.MaxRecordsOverride, CountOf(allowList: false), CountOf(allowList: true), state.Secondary.Count, secondaryMaxRecords);

    /// <summary>
    /// Adds <paramref name="request"/> (see <see cref="Add"/>); when it is a new entry and its list is full, first evicts
    /// one entry by the context's policy into the secondary list. The result names the evicted entry; all of them are
    /// returned too (for metrics).
    /// </summary>
    public async Task<(AddRecordResult Result, IReadOnlyList<EvictedRecord> Evicted)> AddAsync(NewRecord request, int maxRecords, EvictionContext context, Func<string> newId)
    {
        IReadOnlyList<EvictedRecord> evicted = Replaces(request) ? [] : await MakeRoomAsync(IsAllow(request.Action), maxRecords, context);
        var result = Add(request, context.Now, newId);
        return (result with { Evicted = evicted.Count > 0 ? evicted[^1] : null, Evictions = evicted }, evicted);
    }

    /// <summary>
    /// Sets (or with null clears) the recipient's own maximum and evicts both lists down to the maximum then in force.
    /// Everything that is awaited happens before anything changes.
    /// </summary>
    public async Task<IReadOnlyList<EvictedRecord>> SetMaxRecordsAsync(int? maxRecordsOverride, ListPolicy? policy, int defaultMaxRecords, EvictionContext context)
    {
        var max = maxRecordsOverride ?? policy?.ProviderMaxRecords ?? defaultMaxRecords;
        var evicted = new List<EvictedRecord>(await EvictDownToAsync(allowList: false, max, context));
        evicted.AddRange(await EvictDownToAsync(allowList: true, max, context));
        state.MaxRecordsOverride = maxRecordsOverride;
        return evicted;
    }

    /// <summary>True when <paramref name="request"/> would replace a record (same pattern and channel) rather than add one.</summary>
    public bool Replaces(NewRecord request) => state.Records.Exists(r => r.Pattern == request.Pattern && r.Channel == request.Channel);

    public int CountOf(bool allowList) => state.Records.Count(r => IsAllow(r) == allowList);

    /// <summary>Adds <paramref name="request"/>, replacing a record with the same pattern and channel (same id, hits kept).</summary>
    public AddRecordResult Add(NewRecord request, DateTimeOffset now, Func<string> newId)
    {
        // Back on the list: no longer an evicted entry.
        if (state.Secondary.RemoveAll(e => e.Record.Pattern == request.Pattern && e.Record.Channel == request.Channel) > 0)
        {
            secondaryIndex = BuildSecondaryIndex();
        }

        var existingAt = state.Records.FindIndex(r => r.Pattern == request.Pattern && r.Channel == request.Channel);
        if (existingAt >= 0)
        {
            var existing = state.Records[existingAt];
            var replacement = existing with
            {
                Action = request.Action,
                Message = request.Message,
                ThreatLevel = request.ThreatLevel,
                Source = request.Source,
            };
            state.Records[existingAt] = replacement;
            Reindex();
            return new AddRecordResult(replacement, Replaced: true);
        }

        var record = new BlockingRecord(newId(), request.Pattern, request.Channel, request.Action, request.Message, request.ThreatLevel, now, request.Source);
        state.Records.Add(record);
        Reindex();
        return new AddRecordResult(record, Replaced: false);
    }

    /// <summary>
    /// Evicts from the blocking list (or the allow list) until it holds fewer than <paramref name="maxRecords"/>
    /// entries, i.e. until one more fits. The context says which entries a higher-level list duplicates.
    /// </summary>
    public Task<IReadOnlyList<EvictedRecord>> MakeRoomAsync(bool allowList, int maxRecords, EvictionContext context) =>
        EvictDownToAsync(allowList, maxRecords - 1, context);

    /// <summary>Evicts from the blocking list (or the allow list) until it holds at most <paramref name="maxRecords"/> entries.</summary>
    public async Task<IReadOnlyList<EvictedRecord>> EvictDownToAsync(bool allowList, int maxRecords, EvictionContext context)
    {
        var evicted = new List<EvictedRecord>();
        var excess = CountOf(allowList) - Math.Max(0, maxRecords);
        if (excess <= 0)
        {
            return evicted;
        }

        var pool = state.Records.Where(r => IsAllow(r) == allowList).ToList();
        var duplicated = allowList
            ? new bool[pool.Count]
            : await context.AreListed(pool.Select(r => new SenderListKey(r.Pattern, r.Channel)).ToArray());
        var candidates = pool.Select((r, i) => new EvictionCandidate(r, DecayedRate(r.Id, context.Now), duplicated[i])).ToList();
        for (var i = 0; i < excess; i++)
        {
            var (victim, rule) = context.Policy.SelectVictim(candidates, context.Now);
            candidates.RemoveAll(c => c.Record.Id == victim.Id);
            evicted.Add(Evict(victim, rule, context.Now, context.SecondaryMaxRecords));
        }

        return evicted;
    }

    public bool Remove(string recordId)
    {
        var removed = state.Records.RemoveAll(r => r.Id == recordId) > 0;
        if (removed)
        {
            state.Hits.Remove(recordId);
            Reindex();
        }

        return removed;
    }

    public IReadOnlyList<RecordView> List(DateTimeOffset now) =>
        state.Records
            .Select(r => state.Hits.TryGetValue(r.Id, out var hits)
                ? new RecordView(r, hits.Count, hits.LastHitAt, hits.ScoreAsOf(now, hitHalfLife))
                : new RecordView(r, 0, null, 0))
            .ToList();

    /// <summary>The records, indexed for matching (see <see cref="RecordIndex"/>).</summary>
    public RecordIndex Index => index;

    /// <summary>The secondary list's blocking entries, indexed: a match flags a sender, it does not block.</summary>
    public RecordIndex SecondaryIndex => secondaryIndex;

    /// <summary>Counts <paramref name="count"/> hits on a record, the latest at <paramref name="lastHit"/>; ignored when the record is gone.</summary>
    public void RecordHits(string recordId, long count, DateTimeOffset lastHit)
    {
        if (!state.Hits.TryGetValue(recordId, out var hits))
        {
            if (!state.Records.Exists(r => r.Id == recordId))
            {
                return;
            }

            hits = new HitStatistics();
            state.Hits[recordId] = hits;
        }

        hits.RecordHits(count, lastHit, hitHalfLife);
    }

    private EvictedRecord Evict(BlockingRecord victim, EvictionRule rule, DateTimeOffset now, int secondaryMaxRecords)
    {
        state.Hits.TryGetValue(victim.Id, out var hits);
        var evicted = new EvictedRecord(victim, now, rule, hits?.Count ?? 0, hits?.ScoreAsOf(now, hitHalfLife) ?? 0);
        state.Records.RemoveAll(r => r.Id == victim.Id);
        state.Hits.Remove(victim.Id);
        state.Secondary.Add(evicted);
        var overflow = state.Secondary.Count - Math.Max(0, secondaryMaxRecords);
        if (overflow > 0)
        {
            state.Secondary.RemoveRange(0, overflow);
        }

        Reindex();
        secondaryIndex = BuildSecondaryIndex();
        return evicted;
    }

    private double DecayedRate(string recordId, DateTimeOffset now) =>
        state.Hits.TryGetValue(recordId, out var hits) ? hits.ScoreAsOf(now, hitHalfLife) : 0;

    private static bool IsAllow(BlockingRecord record) => IsAllow(record.Action);

    private static bool IsAllow(RecordAction action) => action == RecordAction.Allow;

    private RecordIndex BuildSecondaryIndex() =>
        RecordIndex.Build(state.Secondary.Select(e => e.Record).Where(r => !IsAllow(r)));

    private void Reindex() => index = RecordIndex.Build(state.Records);
}

/// <summary>What an eviction needs besides the list: the policy, the clock, the secondary list's bound and the higher-level lists.</summary>
public sealed record EvictionContext(
    EvictionPolicy Policy,
    DateTimeOffset Now,
    int SecondaryMaxRecords,
    Func<SenderListKey[], Task<bool[]>> AreListed);
