using System.Diagnostics;
using System.Globalization;
using System.Net;
using Clearinghouse.Api.V1;
using OpenTelemetry.Trace;

namespace Clearinghouse.IntegrationTests;

public class TelemetryTests
{
    [Fact]
    public async Task The_management_port_serves_metrics_that_move_with_verdicts_and_the_probes()
    {
        var port = FreePort.Next();
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Management:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Clearinghouse:Telemetry:Prometheus"] = "true",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var recipient = $"metered@{TestTenants.AcmeDomain}";
        await host.Records().AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "spam.example", Action = RecordAction.Reject });
        var before = await PrometheusScrape.ReadAsync(http, http.BaseAddress!);

        for (var i = 0; i < 3; i++)
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = $"s{i}@spam.example" });
        }

        for (var i = 0; i < 2; i++)
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = recipient, Sender = $"s{i}@fine.example" });
        }

        // The exporter may answer from a short cache: scrape until the counts arrive, then require them exactly.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var after = await PrometheusScrape.ReadAsync(http, http.BaseAddress!);
        while (after.Sum("clearinghouse_verdicts_total", "action=\"reject\"") - before.Sum("clearinghouse_verdicts_total", "action=\"reject\"") < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            after = await PrometheusScrape.ReadAsync(http, http.BaseAddress!);
        }

        Assert.Equal(3, after.Sum("clearinghouse_verdicts_total", "action=\"reject\"") - before.Sum("clearinghouse_verdicts_total", "action=\"reject\""));
        Assert.Equal(2, after.Sum("clearinghouse_verdicts_total", "action=\"accept\"") - before.Sum("clearinghouse_verdicts_total", "action=\"accept\""));
        Assert.Equal(5, after.Sum("clearinghouse_verdict_duration_seconds_count", "") - before.Sum("clearinghouse_verdict_duration_seconds_count", ""));
        Assert.Contains(after.Lines, line => line.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.DoesNotContain(after.Lines, line => line.Contains(recipient, StringComparison.OrdinalIgnoreCase));

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/clearinghouse.v1.Diagnostics/Ping")).StatusCode);
    }

    [Fact]
    public async Task A_verdict_is_traced_from_the_gRPC_call_through_the_grain_call()
    {
        var exported = new List<Activity>();
        await using (var host = await ClearinghouseTestHost.StartAsync(
            new Dictionary<string, string?> { ["Clearinghouse:Telemetry:Traces"] = "true" },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported))))
        {
            await host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest { Recipient = $"traced@{TestTenants.AcmeDomain}", Sender = "a@b.example" });
        }

        var server = Assert.Single(exported, a => a.Kind == ActivityKind.Server && a.DisplayName.Contains("CheckRecipient", StringComparison.Ordinal));
        // The first check of a recipient reads it from its grain (ReadForCache) for the silo's memory; later ones need no call.
        var grainCalls = exported.Where(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && a.DisplayName.Contains("ReadForCache", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grainCalls);
        Assert.All(grainCalls, call => Assert.Equal(server.TraceId, call.TraceId));
        Assert.Contains(grainCalls, call => call.ParentSpanId == server.SpanId);
    }
}
