namespace Clearinghouse.TestSupport;

/// <summary>A durable store a test or a bench run starts for its silos: redis-server or Azurite.</summary>
public interface IStorageServer : IAsyncDisposable
{
    /// <summary>What it is and how it persists, for reports (e.g. "redis appendfsync always").</summary>
    string Description { get; }

    /// <summary>The process id, to measure its CPU.</summary>
    int Pid { get; }

    /// <summary>The settings that point a silo at this store (storage profile and connection).</summary>
    IReadOnlyDictionary<string, string> SiloSettings { get; }

    /// <summary>SIGKILL: the process ends at once.</summary>
    void Kill();

    /// <summary>Starts the server again on the same ports and data.</summary>
    Task RestartAsync();
}

/// <summary>Which durable store a <see cref="LocalCluster"/> runs on.</summary>
public enum DurableStore
{
    /// <summary>redis-server with the append-only file.</summary>
    Redis,

    /// <summary>Azurite: the Azure Storage profile (Table and Blob) against Microsoft's emulator.</summary>
    Azurite,
}
