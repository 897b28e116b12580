
namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>One embedded host shared by the end-to-end tests of a collection; each test uses its own recipients.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    public ClearinghouseTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ClearinghouseTestHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "embedded host";
}
