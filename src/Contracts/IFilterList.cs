using Clearinghouse.Domain;
using Orleans.Concurrency;

namespace Clearinghouse.Contracts;

/// <summary>The authoritative, persisted filter-list log. Key: 0. Observers hear of each change after it is persisted.</summary>
public interface IFilterList : IGrainWithIntegerKey
{
    /// <summary>Appends an add or remove; null when it changes nothing (already listed, or not listed).</summary>
    Task<FilterChange?> Append(FilterChangeOp op, FilterEntry entry, string reason, string caseId);

    /// <summary>
    /// Appends the same operation for many entries (an operator's import): for each entry its change, or null when it
    /// changes nothing (already listed or not listed, or repeated earlier in <paramref name="entries"/>). Stored as one
    /// record per segment the changes reach into, not one per change; observers hear of every change.
    /// </summary>
    Task<FilterChange?[]> AppendAll(FilterChangeOp op, FilterListing[] entries);

    /// <summary>
    /// The changes after <paramref name="fromVersion"/>; when those are no longer retained, none and
    /// <see cref="FilterListSlice.ListedByPages"/>: read the listed entries with <see cref="ReadListed"/> first.
    /// </summary>
    Task<FilterListSlice> Read(long fromVersion, int maxChanges);

    /// <summary>
    /// A page of the listed entries as of one version: <paramref name="asOfVersion"/> 0 for the current version, then
    /// the version the first page named, with <paramref name="skip"/> the entries read so far.
    /// </summary>
    Task<FilterListPage> ReadListed(long asOfVersion, int skip, int maxEntries);

    /// <summary>Subscribes (or renews) an observer; subscriptions expire unless renewed.</summary>
    Task Subscribe(IFilterListObserver observer);

    Task Unsubscribe(IFilterListObserver observer);

    /// <summary>For each pattern, whether the list already blocks all its senders (see <see cref="FilterListCoverage"/>).</summary>
    [ReadOnly]
    Task<bool[]> Covers(SenderPattern[] patterns);
}
