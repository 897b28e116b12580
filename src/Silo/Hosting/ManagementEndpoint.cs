using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// The management port: plain HTTP/1.1, apart from the gRPC port, for Kubernetes probes (<c>/health/live</c>: the
/// process answers; <c>/health/ready</c>: the silo is an active cluster member) and the Prometheus scrape
/// (<c>/metrics</c>). It carries no credentials and no recipient data; nothing else is served on it.
/// </summary>
public static class ManagementEndpoint
{
    public static void ListenForManagement(this WebApplicationBuilder builder, ManagementSettings management)
    {
        if (management.Port is not { } port)
        {
            return;
        }

        var address = ConfiguredAddress.Parse(management.Address, "Clearinghouse:Management:Address");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1));
    }

    public static void MapManagement(this WebApplication app, ClearinghouseOptions options)
    {
        if (options.Management.Port is not { } port)
        {
            return;
        }

        app.UseHealthChecks("/health/live", port, new HealthCheckOptions { Predicate = _ => false });
        app.UseHealthChecks("/health/ready", port);
        if (options.Telemetry.Prometheus)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == "/metrics");
        }

        // Nothing else (gRPC in particular) answers on the management port.
        app.UseWhen(context => context.Connection.LocalPort == port, other => other.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }));
    }
}
