using Clearinghouse.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Clearinghouse.IntegrationTests;

/// <summary>How the Azure Storage profile is configured, and what it refuses, without a store.</summary>
public class AzureStorageConfigurationTests
{
    private const string RealLookingKey = "c2VjcmV0LWFjY291bnQta2V5LW5vdC1henVyaXRlcy1wdWJsaXNoZWQtb25lLTAxMjM0NTY3ODk=";
    private static readonly string SecretConnectionString = $"DefaultEndpointsProtocol=https;AccountName=prod;AccountKey={RealLookingKey};EndpointSuffix=core.windows.net";

    [Fact]
    public async Task An_account_key_on_the_command_line_stops_the_start_with_where_to_put_it_instead()
    {
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Storage"] = "AzureStorage",
            [AzureStorageSettings.ConnectionStringKey] = SecretConnectionString,
        }));
        Assert.StartsWith(AzureStorageSettings.ConnectionStringKey, failed.Message);
        Assert.Contains("Clearinghouse__AzureStorage__ConnectionString", failed.Message);
        Assert.DoesNotContain(RealLookingKey, failed.Message);
    }

    [Theory]
    [InlineData("SharedAccessSignature=sv=2024-01-01&sig=abc;TableEndpoint=https://prod.table.core.windows.net")]
    [InlineData("AccountName=prod;AccountKey=" + RealLookingKey)]
    public void A_key_or_SAS_token_is_refused_on_the_command_line_and_accepted_from_other_sources(string connectionString)
    {
        var fromCommandLine = new ConfigurationBuilder().AddCommandLine([$"--{AzureStorageSettings.ConnectionStringKey}={connectionString}"]).Build();
        Assert.Throws<InvalidOperationException>(() => AzureStorageProfile.RefuseSecretsOnCommandLine(fromCommandLine));

        var fromEnvironmentOrSettings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AzureStorageSettings.ConnectionStringKey] = connectionString }).Build();
        AzureStorageProfile.RefuseSecretsOnCommandLine(fromEnvironmentOrSettings);
    }

    [Fact]
    public void The_emulators_published_key_and_service_URIs_are_allowed_on_the_command_line()
    {
        var emulator = $"AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1";
        AzureStorageProfile.RefuseSecretsOnCommandLine(new ConfigurationBuilder().AddCommandLine([$"--{AzureStorageSettings.ConnectionStringKey}={emulator}"]).Build());
        AzureStorageProfile.RefuseSecretsOnCommandLine(new ConfigurationBuilder().AddCommandLine(["--Clearinghouse:AzureStorage:TableServiceUri=https://prod.table.core.windows.net"]).Build());
    }

    [Fact]
    public void Without_a_connection_string_both_service_URIs_are_needed()
    {
        var settings = new AzureStorageSettings { TableServiceUri = new Uri("https://prod.table.core.windows.net") };
        var failed = Assert.Throws<InvalidOperationException>(() => AzureStorageProfile.CreateClients(settings, "clearinghouse"));
        Assert.Contains("BlobServiceUri", failed.Message);
    }

    [Fact]
    public void Service_URIs_are_reached_with_DefaultAzureCredential()
    {
        var clients = AzureStorageProfile.CreateClients(
            new AzureStorageSettings { TableServiceUri = new Uri("https://prod.table.core.windows.net"), BlobServiceUri = new Uri("https://prod.blob.core.windows.net") },
            "clearinghouse");
        Assert.True(clients.UsesIdentity);
        Assert.Equal(("prod.table.core.windows.net", "prod.blob.core.windows.net"), (clients.Tables.Uri.Host, clients.Blobs.Uri.Host));
        Assert.False(clients.IsLocalEmulator);
    }

    [Theory]
    [InlineData("clearinghouse", null, "clearinghouse-state")]
    [InlineData("Clearing_House.Prod", null, "clearing-house-prod-state")]
    [InlineData("clearinghouse", "grains-eu1", "grains-eu1")]
    public void The_blob_container_is_configured_or_named_after_the_service(string serviceId, string? configured, string expected)
    {
        Assert.Equal(expected, AzureStorageProfile.BlobContainerName(new AzureStorageSettings { BlobContainer = configured }, serviceId));
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("a")]
    [InlineData("double--hyphen")]
    public void An_invalid_container_name_stops_the_start(string configured)
    {
        var failed = Assert.Throws<InvalidOperationException>(() => AzureStorageProfile.BlobContainerName(new AzureStorageSettings { BlobContainer = configured }, "clearinghouse"));
        Assert.StartsWith("Clearinghouse:AzureStorage:BlobContainer", failed.Message);
    }
}
