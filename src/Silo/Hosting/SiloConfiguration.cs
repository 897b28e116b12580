using System.Net;
using Clearinghouse.Grains;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Builds the silo from configuration: memory (embedded, one process), Redis or Azure Storage (durable, several silos).
/// </summary>
public static class SiloConfiguration
{
    public static ClearinghouseOptions AddClearinghouseSilo(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClearinghouseOptions.Section).Get<ClearinghouseOptions>() ?? new ClearinghouseOptions();
        DevelopmentCredentials.ApplyRecipientKeySecretIfNone(builder.Configuration, options);
        builder.Services.AddClearinghouseCore(builder.Configuration).AddClearinghouseGrainServices(builder.Configuration);
        AzureStorageClients? azure = null;
        if (options.Storage == StorageMode.AzureStorage)
        {
            AzureStorageProfile.RefuseSecretsOnCommandLine(builder.Configuration);
            azure = AzureStorageProfile.CreateClients(options.AzureStorage, options.Cluster.ServiceId);
            builder.Services.AddSingleton(azure);
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.Cluster.ClusterId;
                cluster.ServiceId = options.Cluster.ServiceId;
            });
            if (options.Telemetry.TracesEnabled)
            {
                // Grain call filters that carry the trace into grain calls: measurable on every verdict, so only
                // when traces are recorded.
                silo.AddActivityPropagation();
            }

            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = ShortestReminderPeriod(builder.Configuration, reminders.MinimumReminderPeriod));

            // How fast a dead silo is noticed (probes, votes) and what a call waits for: see appsettings.json.
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Clearinghouse:Cluster:Membership"));

            // At most one activation of a grain at a time, in every profile (docs/RECIPIENT-CACHE.md). The default,
            // eventually consistent directory deactivates, when a silo stops cleanly, the grains on the surviving silos
            // whose registrations the stopping silo held, and lets a successor activate while its predecessor still
            // runs: a recipient's write acknowledged by one activation while the other still answered checks from the
            // state before it. The strongly consistent directory hands a stopping silo's ranges over instead.
            if (options.Cluster.StronglyConsistentDirectory)
            {
#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10.4.2 (its registration API may change); chosen deliberately for its guarantee.
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }

            switch (options.Storage)
            {
                case StorageMode.Redis:
                    ConfigureEndpoints(silo, options);
                    UseRedis(silo, options);
                    break;
                case StorageMode.AzureStorage:
                    ConfigureEndpoints(silo, options);
                    silo.UseAzureStorage(azure!);
                    break;
                default:
                    silo.UseLocalhostClustering(options.Cluster.SiloPort, options.Cluster.GatewayPort, serviceId: options.Cluster.ServiceId, clusterId: options.Cluster.ClusterId);
                    silo.AddMemoryGrainStorage(StorageNames.Clearinghouse);
                    silo.Services.AddLargeStateInSameStorage();
                    silo.UseInMemoryReminderService();
                    break;
            }
        });

        return options;
    }

    /// <summary>
    /// Reminders drive retries (outbox deliveries, violation reports, escalations) and listing expiry. Orleans refuses periods below its
    /// minimum (one minute); a shorter configured period lowers the minimum, with Orleans' warning.
    /// </summary>
    private static TimeSpan ShortestReminderPeriod(IConfiguration configuration, TimeSpan minimum)
    {
        string[] keys = ["Clearinghouse:Escalation:ReminderPeriod", "Clearinghouse:Recipients:ReportRetryPeriod", "Clearinghouse:Violations:EscalationRetryPeriod", "Clearinghouse:Violations:ExpiryCheckPeriod", "Clearinghouse:Forgery:ReminderPeriod"];
        foreach (var key in keys)
        {
            if (configuration.GetValue<TimeSpan?>(key) is { } period && period > TimeSpan.Zero && period < minimum)
            {
                minimum = period;
            }
        }

        return minimum;
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, ClearinghouseOptions options)
    {
        var advertised = string.IsNullOrWhiteSpace(options.Cluster.AdvertisedAddress)
            ? IPAddress.Loopback
            : ConfiguredAddress.Parse(options.Cluster.AdvertisedAddress, "Clearinghouse:Cluster:AdvertisedAddress");
        silo.ConfigureEndpoints(advertised, options.Cluster.SiloPort, options.Cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
    }

    private static void UseRedis(ISiloBuilder silo, ClearinghouseOptions options)
    {
        ConfigurationOptions Redis()
        {
            var redis = ConfigurationOptions.Parse(options.Redis.ConnectionString);
            // Keep retrying while Redis restarts instead of failing the silo's start or its calls at once.
            redis.AbortOnConnectFail = false;
            return redis;
        }

        silo.UseRedisClustering(clustering => clustering.ConfigurationOptions = Redis());
        silo.AddRedisGrainStorage(StorageNames.Clearinghouse, storage =>
        {
            storage.ConfigurationOptions = Redis();
            // Cleared state is deleted, not kept as an empty record (the filter list clears each change's record once
            // it is sealed into a segment).
            storage.DeleteStateOnClear = true;
        });
        // Redis values are limited only by memory: large states share the store (and their keys, which do not name
        // the provider, so state written before the split still reads).
        silo.Services.AddLargeStateInSameStorage();
        silo.UseRedisReminderService(reminders => reminders.ConfigurationOptions = Redis());
    }
}
