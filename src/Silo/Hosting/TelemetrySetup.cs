using Clearinghouse.Domain;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// OpenTelemetry, switched by configuration: metrics of the <c>Clearinghouse</c> and <c>Microsoft.Orleans</c> meters
/// for Prometheus (scraped on the management port) and/or OTLP; traces from the gRPC call (ASP.NET Core) through the
/// grain calls (Orleans activity propagation) to OTLP. Nothing is registered when nothing is switched on.
/// </summary>
public static class TelemetrySetup
{
    private static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static void AddClearinghouseTelemetry(this WebApplicationBuilder builder, ClearinghouseOptions options)
    {
        var telemetry = options.Telemetry;
        var otlp = string.IsNullOrWhiteSpace(telemetry.Otlp.Endpoint) ? null : telemetry.Otlp;
        var traces = telemetry.TracesEnabled;
        if (telemetry.Prometheus && options.Management.Port is null)
        {
            throw new InvalidOperationException("Clearinghouse:Telemetry:Prometheus needs Clearinghouse:Management:Port: metrics are served on the management port.");
        }

        if (!telemetry.Prometheus && otlp is null && !traces)
        {
            return;
        }

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                "clearinghouse",
                serviceInstanceId: $"{options.Cluster.AdvertisedAddress ?? "127.0.0.1"}:{options.Cluster.SiloPort}"));

        if (telemetry.Prometheus || otlp is not null)
        {
            openTelemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(ClearinghouseTelemetry.Name, "Microsoft.Orleans", "System.Runtime");
                if (telemetry.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => Configure(exporter, otlp, "v1/metrics"));
                }
            });
        }

        if (traces)
        {
            var managementPort = options.Management.Port;
            openTelemetry.WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)));
                tracing.AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    // Probes and scrapes are not calls worth a trace.
                    aspNetCore.Filter = context => context.Connection.LocalPort != managementPort;
                    aspNetCore.RecordException = false;
                });
                tracing.AddSource(ClearinghouseTelemetry.Name);
                tracing.AddSource(OrleansActivitySources);
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(exporter => Configure(exporter, otlp, "v1/traces"));
                }
            });
        }
    }

    // Over HTTP each signal has its own path, which the exporter does not add to an endpoint set in code.
    private static void Configure(OtlpExporterOptions exporter, OtlpSettings otlp, string signalPath)
    {
        var endpoint = new Uri(otlp.Endpoint!);
        if (otlp.Protocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = endpoint;
        }
    }
}
