using Clearinghouse.Grains;
using Clearinghouse.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// An in-process test cluster with the production grain services and a <see cref="RecordingGrainStorage"/> (behind a
/// <see cref="FaultInjectingGrainStorage"/>, which injects nothing until a test arms it). Hit counters flush every
/// <see cref="FlushInterval"/>; <paramref name="settings"/> add configuration and <paramref name="clock"/> replaces the
/// grains' clock.
/// </summary>
public abstract class ClusterFixtureBase(TimeSpan flushInterval, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null) : IAsyncLifetime
{
    private RecordingGrainStorage? storage;
    private FaultInjectingGrainStorage? faults;

    public TimeSpan FlushInterval { get; } = flushInterval;

    /// <summary>The grains' clock when the fixture replaces it.</summary>
    public TimeProvider? ClusterClock => clock;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>What the silo's grain storage holds.</summary>
    public RecordingGrainStorage Storage => storage ?? throw new InvalidOperationException("the silo has not created its storage yet");

    /// <summary>Injects storage faults into the silo's grain storage.</summary>
    public FaultInjectingGrainStorage Faults => faults ?? throw new InvalidOperationException("the silo has not created its storage yet");

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
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromMilliseconds(100));
            silo.Services.AddGrainStorage(StorageNames.Clearinghouse, (services, _) =>
            {
                storage = new RecordingGrainStorage(services.GetRequiredService<Serializer>());
                faults = new FaultInjectingGrainStorage(storage);
                return faults;
            });
            silo.Services.AddLargeStateInSameStorage();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Every timer that writes (hit counts, the domain aggregate, the ranking shards) ticks every 200 ms, an interrupted
/// escalation is retried every second, the outbox has one destination that never answers (retried hourly), and the
/// audit trail starts a segment every 2 entries: for the
/// tests of what reaches storage when writes fail.
/// </summary>
public sealed class FastWritesClusterFixture() : ClusterFixtureBase(TimeSpan.FromMilliseconds(200), new Dictionary<string, string?>
{
    ["Clearinghouse:Violations:DomainFlushInterval"] = "00:00:00.200",
    ["Clearinghouse:Violations:RankingInterval"] = "00:00:00.200",
    ["Clearinghouse:Violations:EscalationRetryPeriod"] = "00:00:01",
    ["Clearinghouse:Escalation:FirstRetryDelay"] = "01:00:00",
    ["Clearinghouse:Escalation:Destinations:authority:Kind"] = "StateAuthority",
    ["Clearinghouse:Escalation:Destinations:authority:Webhook:Url"] = "http://127.0.0.1:9/never-answers",
    ["Clearinghouse:Escalation:Destinations:authority:Webhook:Secret"] = "fast-writes-secret-0123456789",
    ["Clearinghouse:Audit:SegmentSize"] = "2",
    ["Clearinghouse:Audit:RetainedSegments"] = "1000",
});

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
public sealed class FastWritesClusterCollection : ICollectionFixture<FastWritesClusterFixture>
{
    public const string Name = "test cluster, timers writing every 200 ms";
}

[CollectionDefinition(Name)]
public sealed class SlowFlushClusterCollection : ICollectionFixture<SlowFlushClusterFixture>
{
    public const string Name = "test cluster, hourly flush";
}
