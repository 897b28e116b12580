namespace Clearinghouse.Domain;

/// <summary>
/// Violation reports against one sender (or one domain) in a sliding window of hourly buckets. A report counts in the
/// hour of its violating message; its weight halves every half-life of its age. Recipients and providers are counted
/// distinct, by their latest report; the main score is the weighted number of distinct recipients.
/// <para>
/// Every aggregate is kept up to date as reports arrive (counts of recipients and providers by their latest hour), so
/// adding a report and reading the standing cost the same whatever the ledger's history. A report's key is remembered
/// for <see cref="LedgerLimits.KeyRetention"/> after it arrived, and for at most <see cref="LedgerLimits.MaxEntries"/>
/// reports: the oldest are forgotten first (a forgotten report delivered again would count again, and stops counting
/// toward its recipient). Forgetting walks the entries oldest first, never the whole ledger.
/// </para>
/// Not thread-safe.
/// </summary>
public sealed class ViolationLedger
{
    private readonly LedgerSnapshot snapshot;
    private readonly LedgerLimits limits;
    private readonly long windowHours;
    private readonly double halfLifeHours;
    private readonly Dictionary<string, LedgerEntry> byKey = new(StringComparer.Ordinal);
    private readonly Queue<LedgerEntry> oldestFirst = new();
    private readonly LastHours recipients = new();
    private readonly LastHours providers = new();
    private readonly LastHours senders = new();
    private readonly List<LedgerEntry> unsaved = [];

    public ViolationLedger(LedgerSnapshot snapshot, LedgerLimits limits)
    {
        this.snapshot = snapshot;
        this.limits = limits;
        windowHours = Math.Max(1, (long)Math.Ceiling(limits.Window.TotalHours));
        halfLifeHours = Math.Max(1, limits.HalfLife.TotalHours);
    }

    /// <summary>The bounded part to store at a checkpoint (live: it changes as reports arrive).</summary>
    public LedgerSnapshot Snapshot => snapshot;

    public IReadOnlyList<ViolationReport> Evidence => snapshot.Evidence;

    public long TotalReports => snapshot.TotalReports;

    /// <summary>Entries kept (keys remembered).</summary>
    public int EntryCount => byKey.Count;

    /// <summary>The number of the newest entry forgotten so far (0 when none): stored chunks up to it can be dropped.</summary>
    public long ForgottenThrough { get; private set; }

    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    public bool Contains(string reportKey) => byKey.ContainsKey(LedgerEntry.DedupeKey(reportKey));

    /// <summary>
    /// Entries stored before the snapshot was taken, oldest first: they bring back keys, recipients and providers (the
    /// counts per hour are in the snapshot already).
    /// </summary>
    public void Restore(IEnumerable<LedgerEntry> entries, DateTimeOffset now)
    {
        foreach (var entry in entries)
        {
            Remember(entry);
        }

        Forget(now);
    }

    /// <summary>Counts <paramref name="report"/> unless its key was counted before; the new entry, or null.</summary>
    /// <remarks>
    /// A forged report is only remembered (so that it is not counted again) and counted as forged: it adds to no hour,
    /// recipient, provider or evidence, so it counts toward no listing and no ranking score.
    /// </remarks>
    public LedgerEntry? TryAdd(ViolationReport report, DateTimeOffset now)
    {
        var entry = TryAdd(report.ReportKey, report.RecipientHash, report.ProviderId, "", HourOf(report.SecondMessage.Date), now, report, report.IsForged);
        if (entry is not null)
        {
            switch (report.Authentication)
            {
                case SenderAuthentication.Verified:
                    snapshot.VerifiedReports++;
                    break;
                case SenderAuthentication.Forged:
                    snapshot.ForgedReports++;
                    break;
                default:
                    snapshot.UnverifiedReports++;
                    break;
            }
        }

        return entry;
    }

    /// <summary>Reports since counting began by how their sender was authenticated.</summary>
    public AuthenticationCounts AuthenticationCounts => new(snapshot.VerifiedReports, snapshot.UnverifiedReports, snapshot.ForgedReports);

    /// <summary>
    /// Counts a report given by its parts (a domain's aggregate gets no evidence) unless its key was counted before;
    /// the new entry, or null. <paramref name="hour"/> is the hour of the violating message (a future one counts now).
    /// </summary>
    public LedgerEntry? TryAdd(string key, string recipientHash, string providerId, string sender, long hour, DateTimeOffset now, ViolationReport? evidence = null, bool forged = false)
    {
        key = LedgerEntry.DedupeKey(key);
        if (byKey.ContainsKey(key))
        {
            return null;
        }

        var nowHour = HourOf(now);
        var entry = new LedgerEntry(key, recipientHash, providerId, sender, Math.Min(nowHour, hour), nowHour, snapshot.TotalReports + 1) { Forged = forged };
        snapshot.TotalReports = entry.Number;
        Remember(entry);
        unsaved.Add(entry);
        if (!forged && InWindow(nowHour, entry.Hour))
        {
            snapshot.HourlyReports[entry.Hour] = snapshot.HourlyReports.GetValueOrDefault(entry.Hour) + 1;
            if (evidence is not null)
            {
                AddEvidence(evidence);
            }
        }

        DropHoursBefore(nowHour - windowHours + 1);
        Forget(now);
        return entry;
    }

    /// <summary>The entries added since the last call: to be stored in the next chunk.</summary>
    public IReadOnlyList<LedgerEntry> TakeUnsaved()
    {
        var taken = unsaved.ToList();
        unsaved.Clear();
        return taken;
    }

    public SenderStanding Standing(DateTimeOffset now)
    {
        var nowHour = HourOf(now);
        var reports = 0;
        var weightedReports = 0.0;
        foreach (var (hour, count) in snapshot.HourlyReports)
        {
            if (InWindow(nowHour, hour))
            {
                reports += count;
                weightedReports += count * Weight(nowHour, hour);
            }
        }

        var distinct = 0;
        var weighted = 0.0;
        long? lastHour = null;
        foreach (var (hour, count) in recipients.CountsByHour)
        {
            if (InWindow(nowHour, hour))
            {
                distinct += count;
                weighted += count * Weight(nowHour, hour);
                lastHour = lastHour is null || hour > lastHour ? hour : lastHour;
            }
        }

        var last = lastHour is { } h ? DateTimeOffset.FromUnixTimeSeconds(h * 3600) : (DateTimeOffset?)null;
        return new SenderStanding(reports, weightedReports, distinct, weighted, providers.CountIn(nowHour, windowHours), last);
    }

    public IReadOnlyList<string> Providers(DateTimeOffset now) => providers.KeysIn(HourOf(now), windowHours);

    public int DistinctSenders(DateTimeOffset now) => senders.CountIn(HourOf(now), windowHours);

    /// <summary>Starts counting afresh (after a delisting), keeping the keys so old reports are not counted again.</summary>
    public void Reset()
    {
        snapshot.HourlyReports.Clear();
        snapshot.Evidence.Clear();
        snapshot.CountingFrom = snapshot.TotalReports + 1;
        snapshot.VerifiedReports = 0;
        snapshot.UnverifiedReports = 0;
        snapshot.ForgedReports = 0;
        recipients.Clear();
        providers.Clear();
        senders.Clear();
    }

    private void Remember(LedgerEntry entry)
    {
        byKey[LedgerEntry.DedupeKey(entry.Key)] = entry;
        oldestFirst.Enqueue(entry);
        if (!entry.Forged && entry.Number >= snapshot.CountingFrom)
        {
            recipients.Touch(entry.RecipientHash, entry.Hour);
            providers.Touch(entry.ProviderId, entry.Hour);
            senders.Touch(entry.Sender, entry.Hour);
        }
    }

    /// <summary>Forgets the entries that arrived before the key retention, and the oldest beyond the maximum.</summary>
    private void Forget(DateTimeOffset now)
    {
        var horizon = HourOf(now - limits.KeyRetention);
        while (oldestFirst.TryPeek(out var oldest) && (oldest.ArrivedHour < horizon || oldestFirst.Count > limits.MaxEntries))
        {
            oldestFirst.Dequeue();
            byKey.Remove(LedgerEntry.DedupeKey(oldest.Key));
            if (!oldest.Forged && oldest.Number >= snapshot.CountingFrom)
            {
                recipients.Untouch(oldest.RecipientHash, oldest.Hour);
                providers.Untouch(oldest.ProviderId, oldest.Hour);
                senders.Untouch(oldest.Sender, oldest.Hour);
            }

            ForgottenThrough = oldest.Number;
        }
    }

    private void DropHoursBefore(long firstHour)
    {
        if (snapshot.HourlyReports.Count > windowHours)
        {
            foreach (var hour in snapshot.HourlyReports.Keys.Where(h => h < firstHour).ToList())
            {
                snapshot.HourlyReports.Remove(hour);
            }
        }

        recipients.DropHoursBefore(firstHour, windowHours);
        providers.DropHoursBefore(firstHour, windowHours);
        senders.DropHoursBefore(firstHour, windowHours);
    }

    private double Weight(long nowHour, long hour) => Math.Pow(0.5, (nowHour - hour) / halfLifeHours);

    private bool InWindow(long nowHour, long hour) => nowHour - hour < windowHours;

    private void AddEvidence(ViolationReport report)
    {
        var evidence = snapshot.Evidence;
        var same = evidence.FindIndex(e => e.RecipientHash == report.RecipientHash);
        if (same >= 0)
        {
            evidence.RemoveAt(same);
        }
        else if (evidence.Count >= limits.MaxEvidence && evidence.Count > 0)
        {
            evidence.RemoveAt(0);
        }

        evidence.Add(report);
    }

    /// <summary>Distinct keys (recipients, providers, senders) by their latest hour, with a count per hour.</summary>
    private sealed class LastHours
    {
        private readonly Dictionary<string, long> lastHour = new(StringComparer.Ordinal);
        private readonly Dictionary<long, int> countsByHour = [];

        public IReadOnlyDictionary<long, int> CountsByHour => countsByHour;

        public void Touch(string key, long hour)
        {
            if (key.Length == 0)
            {
                return;
            }

            if (lastHour.TryGetValue(key, out var known))
            {
                if (hour <= known)
                {
                    return;
                }

                Decrement(known);
            }

            lastHour[key] = hour;
            countsByHour[hour] = countsByHour.GetValueOrDefault(hour) + 1;
        }

        /// <summary>Forgets <paramref name="key"/> if its latest hour is <paramref name="hour"/> (a later report keeps it).</summary>
        public void Untouch(string key, long hour)
        {
            if (lastHour.TryGetValue(key, out var known) && known == hour)
            {
                lastHour.Remove(key);
                Decrement(hour);
            }
        }

        public int CountIn(long nowHour, long windowHours) =>
            countsByHour.Where(c => nowHour - c.Key < windowHours).Sum(c => c.Value);

        public IReadOnlyList<string> KeysIn(long nowHour, long windowHours) =>
            lastHour.Where(p => nowHour - p.Value < windowHours).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

        /// <summary>Drops the counts of hours that left the window (their keys stay until their entries are forgotten).</summary>
        public void DropHoursBefore(long firstHour, long windowHours)
        {
            if (countsByHour.Count <= windowHours)
            {
                return;
            }

            foreach (var hour in countsByHour.Keys.Where(h => h < firstHour).ToList())
            {
                countsByHour.Remove(hour);
            }
        }

        public void Clear()
        {
            lastHour.Clear();
            countsByHour.Clear();
        }

        private void Decrement(long hour)
        {
            if (countsByHour.TryGetValue(hour, out var count))
            {
                if (count <= 1)
                {
                    countsByHour.Remove(hour);
                }
                else
                {
                    countsByHour[hour] = count - 1;
                }
            }
        }
    }
}
