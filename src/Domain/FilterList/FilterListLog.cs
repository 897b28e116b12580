namespace Clearinghouse.Domain;

/// <summary>
/// The filter list as a versioned, append-only log: the authoritative copy in the filter-list grain and every
/// gateway's replica run the same code. Keeps the listed entries and the last <c>retainedChanges</c> changes; a
/// reader further behind gets a snapshot. Not thread-safe.
/// </summary>
public sealed class FilterListLog(FilterListData data, int retainedChanges)
{
    public FilterListLog(int retainedChanges)
        : this(new FilterListData(), retainedChanges)
    {
    }

    public FilterListData Data => data;

    public long Version => data.Version;

    public int Count => data.Listed.Count;

    public IEnumerable<FilterChange> Listed => data.Listed.Values;

    /// <summary>The oldest version a reader may stand at and still get changes rather than a snapshot.</summary>
    public long OldestResumableVersion => data.Tail.Count > 0 ? data.Tail[0].Version - 1 : data.Version;

    public bool TryGetListing(FilterEntry entry, out FilterChange added) => data.Listed.TryGetValue(entry.Key, out added!);

    /// <summary>
    /// Appends a change, or returns null when it would change nothing (adding a listed entry, removing an unlisted
    /// one): appending is idempotent, so a retried escalation or delisting does not add a version.
    /// </summary>
    public FilterChange? Append(FilterChangeOp op, FilterEntry entry, string reason, string caseId, DateTimeOffset at)
    {
        var listed = data.Listed.ContainsKey(entry.Key);
        if ((op == FilterChangeOp.Add) == listed)
        {
            return null;
        }

        var change = new FilterChange(data.Version + 1, op, entry, reason, caseId, at);
        Apply(change);
        return change;
    }

    /// <summary>Applies the next change (a replica following the authoritative log).</summary>
    public void Apply(FilterChange change)
    {
        if (change.Version != data.Version + 1)
        {
            throw new InvalidOperationException($"change {change.Version} does not follow version {data.Version}");
        }

        if (change.Op == FilterChangeOp.Add)
        {
            data.Listed[change.Entry.Key] = change;
        }
        else
        {
            data.Listed.Remove(change.Entry.Key);
        }

        data.Version = change.Version;
        data.Tail.Add(change);
        if (data.Tail.Count > retainedChanges)
        {
            data.Tail.RemoveRange(0, data.Tail.Count - retainedChanges);
        }
    }

    /// <summary>Replaces the whole list with a snapshot at <paramref name="version"/> (a replica too far behind).</summary>
    public void Reset(IEnumerable<FilterChange> listed, long version)
    {
        data.Listed = listed.ToDictionary(c => c.Entry.Key);
        data.Version = version;
        data.Tail = [];
    }

    /// <summary>Everything after <paramref name="fromVersion"/>, at most <paramref name="maxChanges"/> changes at a time.</summary>
    public FilterListSlice ReadFrom(long fromVersion, int maxChanges = int.MaxValue)
    {
        if (fromVersion < OldestResumableVersion || fromVersion > data.Version)
        {
            return new FilterListSlice([.. data.Listed.Values.OrderBy(c => c.Version)], data.Version, [], data.Version);
        }

        var skip = (int)(fromVersion - OldestResumableVersion);
        var changes = data.Tail.Skip(skip).Take(maxChanges).ToList();
        return new FilterListSlice(null, fromVersion, changes, data.Version);
    }
}
