using System.Net;
using Clearinghouse.Gateway.Console;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// The operators' console's port (<c>Clearinghouse:Console</c>): HTTP/1.1, HTTPS when a certificate is configured
/// (the Kestrel keys, as for the public site); plaintext beyond loopback follows the gRPC endpoint's rule. Session
/// cookies are protected with keys every silo shares (in Redis with the Redis profile), so any silo behind a load
/// balancer honours a session. Orleans' dashboard is mounted behind the same login.
/// </summary>
public static class ConsoleEndpoint
{
    private const string DataProtectionKey = "clearinghouse:console:data-protection-keys";

    /// <summary>Listens when a port is configured; returns the console's URL when it is plaintext (for the banner), else null.</summary>
    public static string? ListenForConsole(this WebApplicationBuilder builder, ClearinghouseOptions options)
    {
        var console = Options(builder.Configuration);
        if (console.Port is not { } port)
        {
            return null;
        }

        if (!IPAddress.TryParse(console.Address, out var address))
        {
            throw new InvalidOperationException($"{ConsoleOptions.Section}:Address = {console.Address} is not an IP address");
        }

        var certificate = console.Https ? PublicEndpoint.Load(console.Certificate!) : null;
        if (certificate is null && !IPAddress.IsLoopback(address) && !options.Security.AllowPlaintext)
        {
            throw new InvalidOperationException(
                $"{ConsoleOptions.Section}: plaintext on {console.Address} is refused (operators' passwords and session cookies would cross the network in clear). " +
                $"Configure {ConsoleOptions.Section}:Certificate:Path (with KeyPath, or Password), or set Clearinghouse:Security:AllowPlaintext=true behind a TLS-terminating proxy.");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));

        var protection = builder.Services.AddDataProtection().SetApplicationName("clearinghouse-console");
        if (options.Storage == StorageMode.Redis)
        {
            var redis = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options.Redis.ConnectionString));
            protection.PersistKeysToStackExchangeRedis(() => redis.Value.GetDatabase(), DataProtectionKey);
        }

        return certificate is null ? $"http://{console.Address}:{port} (operators' console)" : null;
    }

    /// <summary>True when the console is on and mounts Orleans' dashboard (the silo then adds the dashboard's services).</summary>
    public static bool DashboardEnabled(IConfiguration configuration) => Options(configuration) is { Port: not null, OrleansDashboard: true };

    public static void AddDashboardIfEnabled(ISiloBuilder silo, IConfiguration configuration)
    {
        if (DashboardEnabled(configuration))
        {
            // The live log stream is not offered: the console shows what operators need, and logs go to the log pipeline.
            silo.AddDashboard(dashboard => dashboard.HideTrace = true);
        }
    }

    public static void MapConsole(this WebApplication app)
    {
        if (app.MapOperatorsConsole() is { } pages && DashboardEnabled(app.Configuration))
        {
            pages.MapOrleansDashboard(ClusterPage.DashboardPath);
        }
    }

    private static ConsoleOptions Options(IConfiguration configuration) =>
        configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
}
