namespace Clearinghouse.Domain;

/// <summary>
/// The filter list as a versioned, append-only log: the authoritative copy in the filter-list grain and every
/// gateway's replica run the same code. Keeps the listed entries and the last <c>retainedChanges</c> changes; a
/// reader further behind gets a snapshot. A change costs the same whatever the size of the list. Not thread-safe.
/// </summary>
public sealed class FilterListLog(int retainedChanges)
{
    private readonly Queue<FilterChange> tail = new();
    private Dictionary<string, FilterChange> listed = [];

    public long Version { get; private set; }

    public int Count => listed.Count;

    public IEnumerable<FilterChange> Listed => listed.Values;

    /// <summary>The retained changes, oldest first.</summary>
    public IReadOnlyCollection<FilterChange> Retained => tail;

    /// <summary>The oldest version a reader may stand at and still get changes rather than a snapshot.</summary>
    public long OldestResumableVersion => tail.TryPeek(out var oldest) ? oldest.Version - 1 : Version;

    /// <summary>Whether the changes after <paramref name="fromVersion"/> are all retained (otherwise a reader needs the listed entries first).</summary>
    public bool CanResumeFrom(long fromVersion) => fromVersion >= OldestResumableVersion && fromVersion <= Version;

    public bool TryGetListing(FilterEntry entry, out FilterChange added) => listed.TryGetValue(entry.Key, out added!);

    /// <summary>
    /// Appends a change, or returns null when it would change nothing (adding a listed entry, removing an unlisted
    /// one): appending is idempotent, so a retried escalation or delisting does not add a version.
    /// </summary>
    public FilterChange? Append(FilterChangeOp op, FilterEntry entry, string reason, string caseId, DateTimeOffset at)
    {
        if ((op == FilterChangeOp.Add) == listed.ContainsKey(entry.Key))
        {
            return null;
        }

        var change = new FilterChange(Version + 1, op, entry, reason, caseId, at);
        Apply(change);
        return change;
    }

    /// <summary>Applies the next change (a replica following the authoritative log).</summary>
    public void Apply(FilterChange change)
    {
        if (change.Version != Version + 1)
        {
            throw new InvalidOperationException($"change {change.Version} does not follow version {Version}");
        }

        if (change.Op == FilterChangeOp.Add)
        {
            listed[change.Entry.Key] = change;
        }
        else
        {
            listed.Remove(change.Entry.Key);
        }

        Version = change.Version;
        tail.Enqueue(change);
        while (tail.Count > retainedChanges)
        {
            tail.Dequeue();
        }
    }

    /// <summary>Replaces the whole list with a snapshot at <paramref name="version"/> (a replica too far behind, or a load).</summary>
    public void Reset(IEnumerable<FilterChange> entries, long version)
    {
        listed = entries.ToDictionary(c => c.Entry.Key);
        Version = version;
        tail.Clear();
    }

    /// <summary>Everything after <paramref name="fromVersion"/>, at most <paramref name="maxChanges"/> changes at a time.</summary>
    public FilterListSlice ReadFrom(long fromVersion, int maxChanges = int.MaxValue)
    {
        if (!CanResumeFrom(fromVersion))
        {
            return new FilterListSlice([.. listed.Values.OrderBy(c => c.Version)], Version, [], Version);
        }

        var skip = (int)(fromVersion - OldestResumableVersion);
        var changes = tail.Skip(skip).Take(maxChanges).ToList();
        return new FilterListSlice(null, fromVersion, changes, Version);
    }
}
