using System.Diagnostics;
using System.Diagnostics.Metrics;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Counts this silo's verdicts (by action), violations and escalations as the <c>Clearinghouse</c> meter records them,
/// and sends the totals with the process's CPU time and working set to <see cref="ITrafficStatistics"/> every second,
/// for the operators' overview. One one-way grain call a second; counting a verdict is one interlocked add.
/// </summary>
public sealed partial class TrafficReporter(IGrainFactory grains, ILocalSiloDetails silo, ILogger<TrafficReporter> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly Dictionary<string, int> ActionIndex =
        Enum.GetValues<VerdictAction>().ToDictionary(a => a.ToString().ToLowerInvariant(), a => (int)a, StringComparer.Ordinal);

    private readonly long[] verdicts = new long[ClusterTraffic.Actions];
    private long violations;
    private long escalations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read before the listener starts: this creates the instruments if nothing has yet. Compared inside the
        // callback instead, they would be created from within it, still null while it compares them, and never counted.
        Instrument[] counted = [ClearinghouseTelemetry.Verdicts, ClearinghouseTelemetry.Violations, ClearinghouseTelemetry.Escalations];
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (counted.Contains(instrument))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>(Count);
        listener.Start();

        var statistics = grains.GetGrain<ITrafficStatistics>(0);
        var address = silo.SiloAddress.Endpoint.ToString();
        using var process = Process.GetCurrentProcess();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                process.Refresh();
                var report = new SiloTraffic(
                    address,
                    silo.Name,
                    DateTimeOffset.UtcNow,
                    [.. verdicts.Select((_, i) => Interlocked.Read(ref verdicts[i]))],
                    Interlocked.Read(ref violations),
                    Interlocked.Read(ref escalations),
                    process.TotalProcessorTime.TotalSeconds,
                    process.WorkingSet64);
                try
                {
                    await statistics.Record(report);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogReportFailed(error);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Count(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument == ClearinghouseTelemetry.Verdicts)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "action" && tag.Value is string action && ActionIndex.TryGetValue(action, out var index))
                {
                    Interlocked.Add(ref verdicts[index], measurement);
                    return;
                }
            }
        }
        else if (instrument == ClearinghouseTelemetry.Violations)
        {
            Interlocked.Add(ref violations, measurement);
        }
        else
        {
            Interlocked.Add(ref escalations, measurement);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Traffic counts could not be sent for the overview")]
    private partial void LogReportFailed(Exception error);
}
