using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// The overview's live feed: while at least one page watches, one loop samples the overview every second
/// (<see cref="OverviewSampler"/>) and hands the sample, as the operator API's JSON, to every watcher; the last
/// samples are kept so a page that opens draws its charts at once. Nothing runs while nobody watches.
/// </summary>
public sealed partial class OverviewFeed(OverviewSampler sampler, ILogger<OverviewFeed> logger) : IDisposable
{
    public const int KeptSamples = 120;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private readonly Lock gate = new();
    private readonly List<Channel<string>> watchers = [];
    private readonly Queue<string> history = new();
    private CancellationTokenSource? running;

    /// <summary>Starts watching: the samples kept so far, then each new one. Dispose the watch to stop.</summary>
    public OverviewWatch Watch()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        OverviewWatch watch;
        CancellationToken? start = null;
        lock (gate)
        {
            watchers.Add(channel);
            watch = new OverviewWatch([.. history], channel.Reader, () => Leave(channel));
            if (running is null)
            {
                running = new CancellationTokenSource();
                start = running.Token;
            }
        }

        if (start is { } token)
        {
            _ = Task.Run(() => SampleWhileWatchedAsync(token), CancellationToken.None);
        }

        return watch;
    }

    public void Dispose()
    {
        lock (gate)
        {
            running?.Cancel();
            running?.Dispose();
            running = null;
        }
    }

    private void Leave(Channel<string> channel)
    {
        lock (gate)
        {
            watchers.Remove(channel);
            if (watchers.Count == 0 && running is not null)
            {
                running.Cancel();
                running.Dispose();
                running = null;
            }
        }
    }

    private async Task SampleWhileWatchedAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                string sample;
                try
                {
                    sample = Json.Format(await sampler.ReadAsync(cancellationToken));
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogSampleFailed(error);
                    continue;
                }

                lock (gate)
                {
                    history.Enqueue(sample);
                    while (history.Count > KeptSamples)
                    {
                        history.Dequeue();
                    }

                    foreach (var watcher in watchers)
                    {
                        watcher.Writer.TryWrite(sample);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The overview could not be sampled; the next sample is tried in a second")]
    private partial void LogSampleFailed(Exception error);
}

/// <summary>One page watching the overview: the kept samples (JSON, oldest first), then the live ones.</summary>
public sealed class OverviewWatch(IReadOnlyList<string> history, ChannelReader<string> live, Action leave) : IDisposable
{
    public IReadOnlyList<string> History => history;

    public ChannelReader<string> Live => live;

    public void Dispose() => leave();
}
