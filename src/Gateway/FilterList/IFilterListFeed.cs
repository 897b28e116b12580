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

    /// <summary>
    /// Calls <paramref name="onUpdate"/> at once with what a reader at <paramref name="fromVersion"/> needs to catch up,
    /// then with every later update, in order, each under the replica's lock and before <see cref="Version"/> shows it:
    /// an index kept up to date here is never behind the version its readers compare with. <paramref name="onUpdate"/>
    /// must be quick (it holds up the replica) and must not throw. Dispose the result to stop.
    /// </summary>
    IDisposable Follow(long fromVersion, Action<ReplicaUpdate> onUpdate);
}
