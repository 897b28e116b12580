using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Clearinghouse.TestSupport;

/// <summary>
/// An Orleans client of a <see cref="LocalCluster"/> (through its Redis membership), for what the gRPC API does not
/// tell: which silo a recipient's grain lives on, and the management calls (garbage collection).
/// </summary>
public sealed class ClusterClient : IAsyncDisposable
{
    private readonly IHost host;
    private readonly LocalCluster cluster;
    private readonly RecipientKeys keys = new(HarnessTenant.RecipientKeySecret);

    private ClusterClient(IHost host, LocalCluster cluster)
    {
        this.host = host;
        this.cluster = cluster;
    }

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ClusterClient> ConnectAsync(LocalCluster cluster)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client
            .UseRedisClustering(cluster.Redis.ConnectionString)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.Options.ClusterId;
                options.ServiceId = cluster.Options.ClusterId;
            }));
        var host = builder.Build();
        await host.StartAsync();
        return new ClusterClient(host, cluster);
    }

    /// <summary>The index in the cluster of the silo process where the recipient's grain is active, or null when it is not.</summary>
    public async Task<int?> SiloOfRecipientAsync(string recipient)
    {
        var grain = Client.GetGrain<IRecipient>(keys.For(Address.Parse(recipient, "recipient")));
        var silo = await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        if (silo is null)
        {
            return null;
        }

        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            if (cluster.Silos[i].Settings["Clearinghouse:Cluster:SiloPort"] == silo.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>A full garbage collection in every silo (before reading their heap sizes).</summary>
    public async Task CollectGarbageAsync()
    {
        var management = Client.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetHosts(onlyActive: true);
        await management.ForceGarbageCollection([.. hosts.Keys]);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
