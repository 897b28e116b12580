namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>Redis (appendfsync always) and three silo processes sharing it, for the tests of one collection.</summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = 3, ClusterId = "multi-silo-tests" });

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
