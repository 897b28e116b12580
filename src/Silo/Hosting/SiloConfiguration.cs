using System.Net;
using Clearinghouse.Contracts;
using Clearinghouse.Grains;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Clearinghouse.Silo.Hosting;

/// <summary>Builds the silo from configuration: memory (embedded, one process) or Redis (durable, several silos).</summary>
public static class SiloConfiguration
{
    public static ClearinghouseOptions AddClearinghouseSilo(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClearinghouseOptions.Section).Get<ClearinghouseOptions>() ?? new ClearinghouseOptions();
        DevelopmentCredentials.ApplyRecipientKeySecretIfNone(builder.Configuration, options);
        builder.Services.AddClearinghouseGrainServices(builder.Configuration);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.Cluster.ClusterId;
                cluster.ServiceId = options.Cluster.ServiceId;
            });
            silo.AddActivityPropagation();

            // How fast a dead silo is noticed (probes, votes) and what a call waits for: see appsettings.json.
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Clearinghouse:Cluster:Membership"));

            if (options.Storage == StorageMode.Redis)
            {
                UseRedis(silo, options);
            }
            else
            {
                silo.UseLocalhostClustering(options.Cluster.SiloPort, options.Cluster.GatewayPort, serviceId: options.Cluster.ServiceId, clusterId: options.Cluster.ClusterId);
                silo.AddMemoryGrainStorage(StorageNames.Clearinghouse);
                silo.UseInMemoryReminderService();
            }
        });

        return options;
    }

    private static void UseRedis(ISiloBuilder silo, ClearinghouseOptions options)
    {
        var advertised = string.IsNullOrWhiteSpace(options.Cluster.AdvertisedAddress)
            ? IPAddress.Loopback
            : IPAddress.Parse(options.Cluster.AdvertisedAddress);
        silo.ConfigureEndpoints(advertised, options.Cluster.SiloPort, options.Cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));

        ConfigurationOptions Redis()
        {
            var redis = ConfigurationOptions.Parse(options.Redis.ConnectionString);
            // Keep retrying while Redis restarts instead of failing the silo's start or its calls at once.
            redis.AbortOnConnectFail = false;
            return redis;
        }

        silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = Redis());
        silo.AddRedisGrainStorage(StorageNames.Clearinghouse, storage => storage.ConfigurationOptions = Redis());
        silo.UseRedisReminderService(reminders => reminders.ConfigurationOptions = Redis());
    }
}
