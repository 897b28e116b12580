using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Clearinghouse.Api.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.IntegrationTests;

public class OtlpExportTests
{
    [Fact]
    public async Task Metrics_and_traces_reach_an_OTLP_receiver_when_configured()
    {
        // A stand-in collector: OTLP over HTTP is a protobuf POST per signal to /v1/metrics and /v1/traces.
        var received = new ConcurrentBag<(string Path, string ContentType, byte[] Body)>();
        var port = FreePort.Next();
        // Its own content root: the test's directory holds the silo's appsettings.json, with its Kestrel endpoints.
        var collectorBuilder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.CreateTempSubdirectory("otlp-collector-").FullName });
        collectorBuilder.Logging.ClearProviders();
        collectorBuilder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Add((context.Request.Path, context.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();

        await using (var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Telemetry:Otlp:Endpoint"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["Clearinghouse:Telemetry:Otlp:Protocol"] = "http/protobuf",
        }))
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = $"exported@{TestTenants.AcmeDomain}", Sender = "a@b.example" });
        }

        // Stopping the host flushes both exporters.
        Assert.Contains(received, r => r.Path == "/v1/metrics" && r.ContentType == "application/x-protobuf" && Contains(r.Body, "clearinghouse.verdicts"));
        Assert.Contains(received, r => r.Path == "/v1/traces" && Contains(r.Body, "CheckRecipient") && Contains(r.Body, "IRecipient"));
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
