using Clearinghouse.Gateway.Console;
using Clearinghouse.Gateway.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Silo.Hosting;

/// <summary>Says, once the server listens, where it listens and whether its state survives a restart.</summary>
public sealed partial class StartupBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    ClearinghouseOptions options,
    StartupFacts facts,
    IOptions<ConsoleOptions> consoleOptions,
    CallerDirectory directory,
    ILogger<StartupBanner> logger,
    AzureStorageClients? azure = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Announce);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Announce()
    {
        // The management port is the one Kestrel listens on for HTTP/1.1 probes; every other endpoint serves gRPC.
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var management = options.Management.Port;
        var grpc = addresses.Where(a => BindingAddress.Parse(a).Port != management).ToList();
        if (grpc.Count > 0)
        {
            LogGrpc(string.Join(", ", grpc));
        }
        else
        {
            LogNoGrpc();
        }

        if (management is { } port)
        {
            LogManagement(string.Join(", ", addresses.Where(a => BindingAddress.Parse(a).Port == port)));
        }

        LogSocketCompletions(SocketCompletions.Inline ? "on the socket event threads" : "on the thread pool", SocketCompletions.Variable, Environment.GetEnvironmentVariable(SocketCompletions.Variable) ?? "unset");

        switch (options.Storage)
        {
            case StorageMode.Redis:
                LogDurableRedis(options.Cluster.ClusterId);
                break;
            case StorageMode.AzureStorage:
                LogDurableAzure(azure!.Tables.Uri, azure.Blobs.Uri, azure.BlobContainer, azure.UsesIdentity ? "DefaultAzureCredential" : "connection string", options.Cluster.ClusterId);
                if (azure.IsLocalEmulator)
                {
                    LogEmulator();
                }

                break;
            default:
                LogNotDurable();
                break;
        }

        if (facts.PlaintextEndpoints.Count > 0)
        {
            LogPlaintext(string.Join(", ", facts.PlaintextEndpoints));
        }

        if (facts.DevelopmentCredentials)
        {
            LogDevelopmentCredentials(DevelopmentCredentials.ProviderId, DevelopmentCredentials.ProviderKey, DevelopmentCredentials.OperatorKey);
        }

        if (facts.ConsolePassword is { } password)
        {
            LogConsolePassword(consoleOptions.Value.Port ?? 0, DevelopmentCredentials.ConsoleOperator, password);
        }
        else if (consoleOptions.Value.Port is { } consolePort && directory.ConsoleAccounts == 0)
        {
            LogNoConsoleAccount(consolePort);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clearinghouse gRPC (HTTP/2) listening on {Addresses}")]
    private partial void LogGrpc(string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Socket completions run {Where} ({Variable}={Value})")]
    private partial void LogSocketCompletions(string where, string variable, string value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No gRPC endpoint is configured (Kestrel:Endpoints:Grpc:Url): this silo hosts grains but answers no gRPC calls")]
    private partial void LogNoGrpc();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management (HTTP/1.1: /health/live, /health/ready, /metrics) listening on {Addresses}")]
    private partial void LogManagement(string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "STATE IS NOT DURABLE: in-memory storage and localhost clustering; every record is lost when this process stops. Set Clearinghouse__Storage=AzureStorage or Redis for durable state.")]
    private partial void LogNotDurable();

    [LoggerMessage(Level = LogLevel.Warning, Message = "State is durable: Redis clustering, grain state and reminders (cluster {ClusterId}); a write is answered once Redis has it (on disk with appendfsync always)")]
    private partial void LogDurableRedis(string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State is durable: Azure Storage, Table membership, reminders and bounded grain states at {TableService}, large grain states in Blob container '{Container}' at {BlobService}, by {Credential} (cluster {ClusterId}); a write is answered once Azure Storage has committed it")]
    private partial void LogDurableAzure(Uri tableService, Uri blobService, string container, string credential, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Azure Storage is on loopback: Azurite, an emulator for development and tests. It keeps one copy on this machine's disk (and writes its index every few seconds); use an Azure Storage account for durable state.")]
    private partial void LogEmulator();

    [LoggerMessage(Level = LogLevel.Warning, Message = "PLAINTEXT (no TLS) on {Endpoints}: API keys and addresses are not encrypted. Fine on loopback for development; configure an https:// endpoint with a certificate for anything else.")]
    private partial void LogPlaintext(string endpoints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operators' console on port {Port}: log in as '{Operator}' with the password '{Password}' (generated at this start, kept only as a hash; configure Clearinghouse:Operators:<name>:PasswordHash for lasting accounts)")]
    private partial void LogConsolePassword(int port, string @operator, string password);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operators' console on port {Port} has no account: give an operator a PasswordHash (Clearinghouse:Operators:<name>:PasswordHash, made by 'Clearinghouse.Silo hash-password')")]
    private partial void LogNoConsoleAccount(int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Development credentials: provider '{Provider}' owns every domain with API key '{ProviderKey}'; operator API key '{OperatorKey}'. Configure Clearinghouse:Providers to replace them.")]
    private partial void LogDevelopmentCredentials(string provider, string providerKey, string operatorKey);
}

/// <summary>What start-up decided, for the banner (and the console password generated at start for the embedded system, if any).</summary>
public sealed record StartupFacts(bool DevelopmentCredentials, IReadOnlyList<string> PlaintextEndpoints, string? ConsolePassword = null);
