using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// Redis (appendfsync always) and three silo processes sharing it, for the tests of one collection. Each silo serves
/// Prometheus metrics on its management port; the read cache is bounded at <see cref="CacheBound"/> recipients and sends
/// its hits every second, with a 5 s lease; a second provider (<see cref="LimitedProvider"/>) has a low write limit.
/// </summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    public const int CacheBound = 200;
    public const string LimitedProvider = "limited";
    public const string LimitedKey = "limited-provider-key";
    public const string LimitedDomain = "limited.example";
    public const int LimitedPerSecond = 2;
    public const int LimitedBurst = 5;

    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Silos = 3,
            ClusterId = "multi-silo-tests",
            Settings = new Dictionary<string, string>
            {
                ["Clearinghouse:Telemetry:Prometheus"] = "true",
                ["Clearinghouse:RecipientCache:MaxEntries"] = CacheBound.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Clearinghouse:RecipientCache:HitReportInterval"] = "00:00:01",

                // The lease before 2026-11-28 (the default is 1.5 s): these tests tell a write that waited out a lease
                // from one that did not, which a lease shorter than a stopping silo's stop cannot show.
                ["Clearinghouse:RecipientCache:Lease"] = "00:00:05",
                ["Clearinghouse:RecipientCache:LeaseMargin"] = "00:00:00.500",

                // And the write bound before 2026-11-28 (the default is 1.9 s): a write here may wait out the 5.5 s lease.
                ["Clearinghouse:Gateway:WriteCallTimeout"] = "00:00:15",
                [$"Clearinghouse:Providers:{LimitedProvider}:Domains:0"] = LimitedDomain,
                [$"Clearinghouse:Providers:{LimitedProvider}:ApiKeySha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LimitedKey))),
                [$"Clearinghouse:Providers:{LimitedProvider}:WritesPerSecond"] = LimitedPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [$"Clearinghouse:Providers:{LimitedProvider}:WriteBurst"] = LimitedBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class LocalClusterCollection : ICollectionFixture<LocalClusterFixture>
{
    public const string Name = "three silo processes on Redis";
}

/// <summary>Azurite and three silo processes on the Azure Storage profile, for the tests of one collection.</summary>
public sealed class AzuriteClusterFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 3, Store = DurableStore.Azurite, ClusterId = "azure-multi-silo-tests" });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AzuriteClusterCollection : ICollectionFixture<AzuriteClusterFixture>
{
    public const string Name = "three silo processes on Azurite";
}
