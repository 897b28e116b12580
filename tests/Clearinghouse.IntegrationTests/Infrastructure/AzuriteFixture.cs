namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite for the tests of a collection (it takes seconds to start): each test keeps to its own cluster and
/// service id, so its membership rows, grain state and Blob container are its own.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();

    /// <summary>The settings of a host on this Azurite with a cluster and service of its own.</summary>
    public Dictionary<string, string?> HostSettings(string name) => StoreSettings(Azurite, name);

    /// <summary>Settings for a host on <paramref name="store"/>, in a cluster and service named after <paramref name="name"/>.</summary>
    public static Dictionary<string, string?> StoreSettings(IStorageServer store, string name)
    {
        var id = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 13, 50)];
        var settings = store.SiloSettings.ToDictionary(s => s.Key, s => (string?)s.Value);
        settings["Clearinghouse:Cluster:ClusterId"] = id;
        settings["Clearinghouse:Cluster:ServiceId"] = id;
        return settings;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
