namespace Clearinghouse.Silo.Hosting;

public enum StorageMode
{
    /// <summary>Localhost clustering and in-memory state: one process, nothing survives a restart.</summary>
    Memory,

    /// <summary>Redis for membership, grain state and reminders: several silos, state survives restarts.</summary>
    Redis,

    /// <summary>
    /// Azure Storage: Table membership and reminders, grain state in Table (bounded states) or Blob (states that can
    /// outgrow a table entity): several silos, state survives restarts.
    /// </summary>
    AzureStorage,
}

/// <summary>How the silo is built (configuration section <c>Clearinghouse</c>).</summary>
public sealed class ClearinghouseOptions
{
    public const string Section = "Clearinghouse";

    public StorageMode Storage { get; set; } = StorageMode.Memory;

    public RedisSettings Redis { get; set; } = new();

    public AzureStorageSettings AzureStorage { get; set; } = new();

    public ClusterSettings Cluster { get; set; } = new();

    public SecuritySettings Security { get; set; } = new();

    public ManagementSettings Management { get; set; } = new();

    public TelemetrySettings Telemetry { get; set; } = new();

    /// <summary>
    /// Directories read as key-per-file configuration (a file named <c>Clearinghouse__Providers__acme__ApiKeySha256__0</c>
    /// holds that key's value), watched and reloaded on change: a mounted Kubernetes Secret or ConfigMap. Credentials and
    /// rate limits changed there take effect without a restart. They override every other source.
    /// </summary>
    public List<string> SettingsDirectories { get; set; } = [];
}

public sealed class RedisSettings
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "127.0.0.1:6379";
}

/// <summary>
/// Where the <see cref="StorageMode.AzureStorage"/> profile keeps its state: a connection string (from an environment
/// variable or a settings directory, never the command line), or the Table and Blob service URIs reached with
/// <c>DefaultAzureCredential</c> (a managed or workload identity in production).
/// </summary>
public sealed class AzureStorageSettings
{
    public const string ConnectionStringKey = "Clearinghouse:AzureStorage:ConnectionString";

    /// <summary>An Azure Storage connection string (account key or SAS): a secret.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Table service, e.g. <c>https://account.table.core.windows.net</c>, when no connection string is set.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The Blob service, e.g. <c>https://account.blob.core.windows.net</c>, when no connection string is set.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity for <c>DefaultAzureCredential</c>; none: the default identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// The Blob container of large grain states. Default: the cluster's <c>ServiceId</c> in lower case with
    /// <c>-state</c> appended, so that services sharing an account do not share blobs (Table rows are already
    /// separated by service and cluster id).
    /// </summary>
    public string? BlobContainer { get; set; }
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

    /// <summary>
    /// How long a stopping silo (SIGTERM) may take to finish calls, deactivate its grains (flushing their hit counts)
    /// and leave the cluster. Kubernetes' terminationGracePeriodSeconds must be longer.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Orleans' strongly consistent grain directory (at most one activation of a grain, also while silos join and
    /// leave). False: Orleans' eventually consistent default, which lets two activations of a recipient overlap around
    /// a clean stop (docs/RECIPIENT-CACHE.md). Every silo of a cluster must use the same directory.
    /// </summary>
    public bool StronglyConsistentDirectory { get; set; }
}

public sealed class SecuritySettings
{
    /// <summary>
    /// Allows an <c>http://</c> (plaintext) gRPC endpoint on a non-loopback address. Off: such an endpoint stops the
    /// start. Plaintext on loopback is always allowed (development) and announced at start.
    /// </summary>
    public bool AllowPlaintext { get; set; }
}

/// <summary>An HTTP/1.1 port apart from gRPC for probes and scraping: <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>.</summary>
public sealed class ManagementSettings
{
    /// <summary>Off when absent.</summary>
    public int? Port { get; set; }

    /// <summary>The address to listen on: loopback by default, <c>0.0.0.0</c> in a pod.</summary>
    public string Address { get; set; } = "127.0.0.1";
}

public sealed class TelemetrySettings
{
    /// <summary>Serve metrics for Prometheus at <c>/metrics</c> on the management port.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Export traces and metrics by OTLP to <see cref="OtlpSettings.Endpoint"/> when set.</summary>
    public OtlpSettings Otlp { get; set; } = new();

    /// <summary>Record traces (gRPC call and grain calls). Defaults to on when OTLP is configured.</summary>
    public bool? Traces { get; set; }

    /// <summary>Whether traces are recorded: <see cref="Traces"/>, or on when OTLP is configured.</summary>
    public bool TracesEnabled => Traces ?? !string.IsNullOrWhiteSpace(Otlp.Endpoint);

    /// <summary>Share of new traces recorded (a caller's sampled trace is always followed).</summary>
    public double TraceSampleRatio { get; set; } = 1.0;
}

public sealed class OtlpSettings
{
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string Protocol { get; set; } = "grpc";
}
