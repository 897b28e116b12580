namespace Clearinghouse.Silo.Hosting;

public enum StorageMode
{
    /// <summary>Localhost clustering and in-memory state: one process, nothing survives a restart.</summary>
    Memory,

    /// <summary>Redis for membership, grain state and reminders: several silos, state survives restarts.</summary>
    Redis,
}

/// <summary>How the silo is built (configuration section <c>Clearinghouse</c>).</summary>
public sealed class ClearinghouseOptions
{
    public const string Section = "Clearinghouse";

    public StorageMode Storage { get; set; } = StorageMode.Memory;

    public RedisSettings Redis { get; set; } = new();

    public ClusterSettings Cluster { get; set; } = new();
}

public sealed class RedisSettings
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:6379";
}

public sealed class ClusterSettings
{
    public string ClusterId { get; set; } = "clearinghouse";

    public string ServiceId { get; set; } = "clearinghouse";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one on (a pod IP in Kubernetes). Defaults to loopback.</summary>
    public string? AdvertisedAddress { get; set; }
}
