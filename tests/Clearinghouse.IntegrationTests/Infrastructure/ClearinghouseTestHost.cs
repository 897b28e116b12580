using Clearinghouse.Api.V1;
using Clearinghouse.Silo.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// The real host (silo and gateway in one process, as <c>dotnet run --project src/Silo</c> starts it) on real
/// Kestrel, listening on a free loopback port, with free Orleans ports and the test tenants.
/// </summary>
public sealed class ClearinghouseTestHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<GrpcChannel> channels = [];
    private bool stopped;

    private ClearinghouseTestHost(WebApplication app, Uri address, IReadOnlyDictionary<string, string?> settings)
    {
        this.app = app;
        Address = address;
        Settings = settings;
    }

    public Uri Address { get; }

    /// <summary>The public site (lookup, delisting requests), when <c>Clearinghouse:Public:Port</c> is configured.</summary>
    public Uri PublicAddress => new(Settings["Clearinghouse:Public:Port"] is { } port
        ? $"{(Settings.ContainsKey("Clearinghouse:Public:Certificate:Path") ? "https" : "http")}://127.0.0.1:{port}/"
        : throw new InvalidOperationException("this host has no public site"));

    /// <summary>The settings the host was started with, to start another one like it.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<ClearinghouseTestHost> StartAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Clearinghouse:Cluster:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clearinghouse:Cluster:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Polly"] = "Error",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Clearinghouse:Privacy:RecipientKeySecret"] = TestTenants.RecipientKeySecret,
        };
        foreach (var (key, value) in TestTenants.Settings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var args = settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").ToArray();
        var builder = ClearinghouseHost.CreateBuilder(args);
        configureServices?.Invoke(builder.Services);
        var app = ClearinghouseHost.Build(builder);
        await app.StartAsync();
        // The gRPC endpoint (the management port and the public site's, when configured, are other URLs).
        string?[] otherPorts = [settings.GetValueOrDefault("Clearinghouse:Management:Port"), settings.GetValueOrDefault("Clearinghouse:Public:Port")];
        var address = new Uri(app.Urls.Single(url => !otherPorts.Contains(new Uri(url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return new ClearinghouseTestHost(app, address, settings);
    }

    public CallInvoker Invoker(string? apiKey = TestTenants.AcmeKey)
    {
        var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        channels.Add(channel);
        var invoker = channel.CreateCallInvoker();
        return apiKey is null
            ? invoker
            : invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {apiKey}");
                return metadata;
            });
    }

    public Verdicts.VerdictsClient Verdicts(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public Records.RecordsClient Records(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public DoNotSend.DoNotSendClient DoNotSend(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public Reports.ReportsClient Reports(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public FilterList.FilterListClient FilterList(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public Operator.OperatorClient Operator(string? apiKey = TestTenants.OperatorKey) => new(Invoker(apiKey));
    public ProviderMaps.ProviderMapsClient ProviderMaps(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public Connections.ConnectionsClient Connections(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    public RecipientLists.RecipientListsClient RecipientLists(string? apiKey = TestTenants.AcmeKey) => new(Invoker(apiKey));

    /// <summary>Stops the host (once: the gateway's hosted services do not expect a second stop).</summary>
    public async Task StopAsync()
    {
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        channels.Clear();
        if (!stopped)
        {
            stopped = true;
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await app.DisposeAsync();
    }
}
