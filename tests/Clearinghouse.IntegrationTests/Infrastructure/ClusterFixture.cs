using Clearinghouse.Grains;
using Clearinghouse.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// An in-process test cluster with the production grain services and a <see cref="RecordingGrainStorage"/>.
/// Hit counters flush every <see cref="FlushInterval"/>; <paramref name="settings"/> add configuration and
/// <paramref name="clock"/> replaces the grains' clock.
/// </summary>
public abstract class ClusterFixtureBase(TimeSpan flushInterval, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null) : IAsyncLifetime
{
    public TimeSpan FlushInterval { get; } = flushInterval;

    /// <summary>The grains' clock when the fixture replaces it.</summary>
    public TimeProvider? ClusterClock => clock;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public RecordingGrainStorage Storage =>
        (RecordingGrainStorage)((InProcessSiloHandle)Cluster.Silos[0]).ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Clearinghouse);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.ConfigureSilo((_, silo) =>
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Clearinghouse:Recipients:HitFlushInterval"] = FlushInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                    ["Clearinghouse:Privacy:RecipientKeySecret"] = TestTenants.RecipientKeySecret,
                })
                .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
                .Build();
            if (clock is not null)
            {
                silo.Services.AddSingleton(clock);
            }

            silo.Services.AddClearinghouseCore(configuration).AddClearinghouseGrainServices(configuration);
            silo.Services.AddGrainStorage(StorageNames.Clearinghouse, (services, _) => new RecordingGrainStorage(services.GetRequiredService<Serializer>()));
            silo.Services.AddLargeStateInSameStorage();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Flushes hit counts every 300 ms.</summary>
public sealed class ClusterFixture() : ClusterFixtureBase(TimeSpan.FromMilliseconds(300));

/// <summary>Flushes hit counts hourly, so that within a test only deactivation flushes them.</summary>
public sealed class SlowFlushClusterFixture() : ClusterFixtureBase(TimeSpan.FromHours(1));

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "test cluster";
}

[CollectionDefinition(Name)]
public sealed class SlowFlushClusterCollection : ICollectionFixture<SlowFlushClusterFixture>
{
    public const string Name = "test cluster, hourly flush";
}
