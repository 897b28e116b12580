using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// Holds the host's stop, before any service (Kestrel among them) stops, until the check streams open when it began
/// have ended with their status (<see cref="GatewayStopping"/>): they end as soon as the host starts stopping, and a
/// stream's own grace for a client that does not read (2 s) bounds the wait. Then it waits half a second more before
/// the server closes its connections: a check stream whose client has not closed its side is ended by the server with its
/// trailers and a RST_STREAM(NO_ERROR), and a client that sees the connection close before it has taken those
/// trailers (.NET's HTTP/2 client does, under load) reports "the server closed the connection" (INTERNAL) instead of
/// the UNAVAILABLE it can act on.
/// </summary>
public sealed partial class StreamsEndBeforeServerStops(GatewayStopping stopping, IHostApplicationLifetime lifetime, ILogger<StreamsEndBeforeServerStops> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan MostWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LastFramesRead = TimeSpan.FromMilliseconds(500);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Streams end at ApplicationStopping: on SIGTERM it has fired already (and the streams have often ended by
        // now); on a StopAsync called by code it fires after the lifecycle services' StoppingAsync, so fire it here.
        lifetime.StopApplication();
        try
        {
            await stopping.AllStreamsEnded().WaitAsync(MostWait, cancellationToken);
            if (stopping.SinceLastStreamEndedWhileStopping() is { } since && since < LastFramesRead)
            {
                await Task.Delay(LastFramesRead - since, cancellationToken);
            }
        }
        catch (TimeoutException)
        {
            LogStreamsStillOpen(MostWait);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop anyway.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Streams were still open {Wait} after the gateway began stopping; stopping anyway")]
    private partial void LogStreamsStillOpen(TimeSpan wait);
}
