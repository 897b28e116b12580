namespace Clearinghouse.Gateway.FilterList;

/// <summary>
/// The narrow view of this gateway's filter-list replica that readers keeping their own index (the DNS zones) need:
/// its version, and its changes in order from a version (a snapshot first when that version is no longer retained).
/// Whatever the replica does inside, these keep their meaning.
/// </summary>
public interface IFilterListFeed
{
    long Version { get; }

    ReplicaSubscription Subscribe(long fromVersion);
}
