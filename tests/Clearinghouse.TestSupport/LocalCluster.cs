using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;

namespace Clearinghouse.TestSupport;

/// <summary>What a <see cref="LocalCluster"/> is made of.</summary>
public sealed record LocalClusterOptions
{
    public int Silos { get; init; } = 3;

    /// <summary>The store the silos share for membership, grain state and reminders.</summary>
    public DurableStore Store { get; init; } = DurableStore.Redis;

    /// <summary>Redis <c>appendfsync</c>: <c>always</c> (an acknowledged write is on disk) or <c>everysec</c>.</summary>
    public string AppendFsync { get; init; } = "always";

    public string ClusterId { get; init; } = "harness";

    public string SiloDll { get; init; } = SiloBinary.Locate();

    /// <summary>Settings every silo gets on top of <see cref="HarnessTenant.Settings"/> and its own ports.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// A real cluster on loopback: one store (<c>redis-server</c> with the append-only file on, or Azurite) and several
/// silo processes sharing it for membership, grain state and reminders, each serving the gRPC gateway on its own port.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> silos;
    private readonly List<(GrpcChannel Channel, CallInvoker Invoker)> connections;

    private LocalCluster(LocalClusterOptions options, IStorageServer store, List<SiloProcess> silos)
    {
        Options = options;
        Store = store;
        this.silos = silos;
        connections = silos.Select(s => HarnessTenant.Connect(s.Address)).ToList();
    }

    public LocalClusterOptions Options { get; }

    public IStorageServer Store { get; }

    public RedisServer Redis => Store as RedisServer ?? throw new InvalidOperationException($"this cluster runs on {Store.Description}");

    public IReadOnlyList<SiloProcess> Silos => silos;

    /// <summary>A call invoker per silo, as the harness provider.</summary>
    public IReadOnlyList<CallInvoker> Invokers => connections.Select(c => c.Invoker).ToList();

    /// <summary>A call invoker per silo over the same connections, sending <paramref name="apiKey"/>.</summary>
    public IReadOnlyList<CallInvoker> InvokersAs(string apiKey) => connections.Select(c => HarnessTenant.Authenticated(c.Channel, apiKey)).ToList();

    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options)
    {
        IStorageServer store = options.Store == DurableStore.Azurite
            ? await AzuriteServer.StartAsync()
            : await RedisServer.StartAsync(options.AppendFsync);
        var silos = new List<SiloProcess>();
        try
        {
            // The first silo alone, so that it creates the cluster; the others join it together.
            silos.Add(await StartSiloAsync(options, store));
            var others = await Task.WhenAll(Enumerable.Range(1, options.Silos - 1).Select(_ => StartSiloAsync(options, store)));
            silos.AddRange(others);
            return new LocalCluster(options, store, silos);
        }
        catch
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }

            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>The settings of a silo of <paramref name="options"/> on <paramref name="store"/> (fresh ports).</summary>
    public static Dictionary<string, string> SiloSettings(LocalClusterOptions options, IStorageServer store)
    {
        var settings = HarnessTenant.Settings();
        foreach (var (key, value) in store.SiloSettings)
        {
            settings[key] = value;
        }

        settings["Clearinghouse:Cluster:ClusterId"] = options.ClusterId;
        settings["Clearinghouse:Cluster:ServiceId"] = options.ClusterId;
        settings["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}";
        settings["Clearinghouse:Management:Port"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// Waits until the clients' channel to <paramref name="silo"/> (the one <see cref="Invokers"/> use) is connected: after
    /// the silo was down, the channel retries its connection with a growing back-off and fails calls at once meanwhile,
    /// though the silo itself already serves.
    /// </summary>
    public async Task ConnectAsync(int silo, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await connections[silo].Channel.ConnectAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (channel, _) in connections)
        {
            channel.Dispose();
        }

        await Task.WhenAll(silos.Select(s => s.DisposeAsync().AsTask()));
        await Store.DisposeAsync();
    }

    private static Task<SiloProcess> StartSiloAsync(LocalClusterOptions options, IStorageServer store) =>
        SiloProcess.StartAsync(options.SiloDll, SiloSettings(options, store), options.StartTimeout);
}
