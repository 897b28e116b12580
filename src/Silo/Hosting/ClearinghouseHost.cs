using Clearinghouse.Gateway;
using Clearinghouse.Gateway.Public;
using Microsoft.Extensions.FileProviders;

namespace Clearinghouse.Silo.Hosting;

/// <summary>The whole system in one process: a silo with the gRPC gateway co-hosted. Used by Program and by tests.</summary>
public static class ClearinghouseHost
{
    /// <summary>
    /// Runs the silo until it is stopped (SIGTERM, Ctrl+C). Returns the exit code: 0 after a clean stop; 1 when it could
    /// not start (its configuration, a port in use, ...) or did not stop cleanly, with what went wrong on standard error
    /// instead of an unhandled exception.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(CreateBuilder(args));
        }
        catch (Exception error)
        {
            return StartupFailure.Report("did not start", error);
        }

        try
        {
            await app.StartAsync();
        }
        catch (Exception error)
        {
            await DisposeQuietlyAsync(app);
            return StartupFailure.Report("did not start", error);
        }

        try
        {
            await app.WaitForShutdownAsync();
        }
        catch (Exception error)
        {
            await DisposeQuietlyAsync(app);
            return StartupFailure.Report("did not stop cleanly", error);
        }

        await app.DisposeAsync();
        return 0;
    }

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Settings (appsettings.json) are found beside the program, wherever it is started from: with the working
        // directory as content root, a silo started elsewhere ran without them (no HTTP/2, default membership).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddSettingsDirectories(builder.Configuration);

        // Kestrel's socket transport is configured from Kestrel:Sockets (SocketTransportOptions: IOQueueCount,
        // UnsafePreferInlineScheduling, ...); Kestrel binds only its own options from the Kestrel section.
        builder.WebHost.UseSockets(sockets => builder.Configuration.GetSection("Kestrel:Sockets").Bind(sockets));
        var options = builder.AddClearinghouseSilo();
        EndpointSecurity.CheckHttp2(builder.Configuration);
        var plaintextEndpoints = EndpointSecurity.CheckPlaintext(builder.Configuration, options.Security.AllowPlaintext);
        if (builder.ListenForPublicSite(options.Security.AllowPlaintext) is { } plaintextSite)
        {
            plaintextEndpoints = [.. plaintextEndpoints, plaintextSite];
        }

        var developmentCredentials = DevelopmentCredentials.ApplyIfNoneConfigured(builder.Configuration, options);
        var consolePassword = DevelopmentCredentials.ApplyConsoleAccountIfNone(builder.Configuration, options, developmentCredentials);
        if (builder.ListenForConsole(options) is { } plaintextConsole)
        {
            plaintextEndpoints = [.. plaintextEndpoints, plaintextConsole];
        }

        // A second UseOrleans configures the same silo: the dashboard depends on the console, known only now.
        builder.UseOrleans(silo => ConsoleEndpoint.AddDashboardIfEnabled(silo, builder.Configuration));

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Cluster.ShutdownTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new StartupFacts(developmentCredentials, plaintextEndpoints, consolePassword));
        builder.Services.AddHostedService<StartupBanner>();
        builder.Services.AddHostedService<TrafficReporter>();
        if (options.Storage == StorageMode.Redis)
        {
            builder.Services.AddHostedService<RedisDurabilityCheck>();
            builder.Services.AddClusterWriteLimits(options.Redis.ConnectionString, options.Cluster.ServiceId);
        }

        builder.ListenForManagement(options.Management);
        builder.AddClearinghouseTelemetry(options);
        builder.Services.AddClearinghouseGateway(builder.Configuration)
            .AddCheck<SiloHealthCheck>("silo");
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapManagement(app.Services.GetRequiredService<ClearinghouseOptions>());
        app.MapPublicSite();
        app.MapConsole();
        app.MapClearinghouseGateway();
        return app;
    }

    private static async Task DisposeQuietlyAsync(WebApplication app)
    {
        try
        {
            await app.DisposeAsync();
        }
        catch (Exception)
        {
            // The failure that led here is what gets reported.
        }
    }

    // Key-per-file directories (mounted Secrets and ConfigMaps), polled because Kubernetes swaps them by symlink.
    private static void AddSettingsDirectories(ConfigurationManager configuration)
    {
        var directories = configuration.GetSection("Clearinghouse:SettingsDirectories").Get<string[]>() ?? [];
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new InvalidOperationException($"Clearinghouse:SettingsDirectories: {directory} does not exist");
            }

            configuration.AddKeyPerFile(source =>
            {
                source.FileProvider = new PhysicalFileProvider(Path.GetFullPath(directory)) { UsePollingFileWatcher = true, UseActivePolling = true };
                source.Optional = false;
                source.ReloadOnChange = true;
            });
        }
    }
}
