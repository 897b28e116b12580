using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Clearinghouse.Grains;
using Microsoft.Extensions.Configuration.CommandLine;

namespace Clearinghouse.Silo.Hosting;

/// <summary>The Azure Storage clients a silo uses, and where they point (for the banner).</summary>
public sealed record AzureStorageClients(TableServiceClient Tables, BlobServiceClient Blobs, string BlobContainer, bool UsesIdentity)
{
    /// <summary>An endpoint on loopback: Azurite, the emulator, which keeps no replicas.</summary>
    public bool IsLocalEmulator => Tables.Uri.IsLoopback || Blobs.Uri.IsLoopback;
}

/// <summary>
/// The Azure Storage profile: Table membership and reminders, grain state in Table rows (<see cref="StorageNames.Clearinghouse"/>)
/// and in Blobs (<see cref="StorageNames.Large"/>).
/// </summary>
public static partial class AzureStorageProfile
{
    // Azurite's published development account key: known to everyone, so it is no secret on a command line.
    private const string EmulatorAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static void UseAzureStorage(this ISiloBuilder silo, AzureStorageClients clients)
    {
        silo.UseAzureStorageClustering(clustering => clustering.TableServiceClient = clients.Tables);
        silo.AddAzureTableGrainStorage(StorageNames.Clearinghouse, storage => storage.TableServiceClient = clients.Tables);
        silo.AddAzureBlobGrainStorage(StorageNames.Large, storage =>
        {
            storage.BlobServiceClient = clients.Blobs;
            storage.ContainerName = clients.BlobContainer;
        });
        silo.UseAzureTableReminderService(reminders => reminders.TableServiceClient = clients.Tables);
    }

    /// <summary>
    /// The clients for <paramref name="settings"/>: by connection string, or by service URIs with
    /// <see cref="DefaultAzureCredential"/>. Throws with what to configure when neither is complete.
    /// </summary>
    public static AzureStorageClients CreateClients(AzureStorageSettings settings, string serviceId)
    {
        var container = BlobContainerName(settings, serviceId);
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            return new AzureStorageClients(new TableServiceClient(settings.ConnectionString), new BlobServiceClient(settings.ConnectionString), container, UsesIdentity: false);
        }

        if (settings.TableServiceUri is null || settings.BlobServiceUri is null)
        {
            throw new InvalidOperationException(
                "Clearinghouse:AzureStorage: set ConnectionString (in an environment variable or a settings directory), " +
                "or both TableServiceUri and BlobServiceUri to reach the account with DefaultAzureCredential (a managed identity).");
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ManagedIdentityClientId });
        return new AzureStorageClients(new TableServiceClient(settings.TableServiceUri, credential), new BlobServiceClient(settings.BlobServiceUri, credential), container, UsesIdentity: true);
    }

    /// <summary>
    /// Refuses an account key or SAS token given on the command line, where other users of the machine and process
    /// listings see it. Azurite's published development key is allowed.
    /// </summary>
    public static void RefuseSecretsOnCommandLine(IConfigurationRoot configuration)
    {
        foreach (var provider in configuration.Providers.OfType<CommandLineConfigurationProvider>())
        {
            if (provider.TryGet(AzureStorageSettings.ConnectionStringKey, out var value) && value is not null && HoldsSecret(value))
            {
                throw new InvalidOperationException(
                    $"{AzureStorageSettings.ConnectionStringKey} holds an account key or SAS token and was given on the command line, " +
                    "where process listings show it. Set it in the environment (Clearinghouse__AzureStorage__ConnectionString) or in a settings directory (a mounted Secret).");
            }
        }
    }

    private static bool HoldsSecret(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Any(part =>
            part.StartsWith("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase) ||
            (part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) && part["AccountKey=".Length..] != EmulatorAccountKey));
    }

    /// <summary>The configured container, or one derived from the service id; checked against Azure's naming rules.</summary>
    public static string BlobContainerName(AzureStorageSettings settings, string serviceId)
    {
        var name = settings.BlobContainer;
        if (string.IsNullOrWhiteSpace(name))
        {
            var derived = InvalidContainerCharacters().Replace(serviceId.ToLowerInvariant(), "-").Trim('-');
            name = RepeatedHyphens().Replace($"{derived}-state", "-");
        }

        if (!ValidContainerName().IsMatch(name))
        {
            throw new InvalidOperationException(
                $"Clearinghouse:AzureStorage:BlobContainer: '{name}' is not a valid Blob container name (3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        return name;
    }

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex InvalidContainerCharacters();

    [GeneratedRegex("-{2,}")]
    private static partial Regex RepeatedHyphens();

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ValidContainerName();
}
