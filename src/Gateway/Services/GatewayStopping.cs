using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// Ends long-lived streams when the host stops. Kestrel's graceful shutdown waits for every open request, so a stream
/// left open (a filter-list subscription, an MTA's check stream) would hold a stopping silo until its shutdown timeout;
/// instead a stream stops at <see cref="IHostApplicationLifetime.ApplicationStopping"/> and ends with
/// <c>Unavailable</c>, which a client reads as "reconnect, to another gateway if need be".
/// <para>
/// Check streams open when the host begins stopping are counted until their responses have completed, so that
/// <see cref="StreamsEndBeforeServerStops"/> can hold the server's own stop until they have ended with their status.
/// Subscriptions are not: their clients have finished sending, and nothing but the check streams needs the hold
/// (which would keep the stopping gateway taking new calls, only to refuse them).
/// </para>
/// </summary>
public sealed class GatewayStopping(IHostApplicationLifetime lifetime)
{
    private readonly object gate = new();
    private int openStreams;
    private TaskCompletionSource? allEnded;
    private long? lastEndedWhileStopping;

    public bool IsStopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Cancelled when the call ends or the host starts stopping, whichever is first.</summary>
    public CancellationTokenSource CallOrStopping(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    /// <summary>
    /// <see cref="CallOrStopping"/> for a stream whose client may still be sending when the server ends it (a check
    /// stream): one opened before the host began stopping is counted until its response has completed.
    /// </summary>
    public CancellationTokenSource OpenCheckStream(ServerCallContext context)
    {
        var counted = false;
        lock (gate)
        {
            if (!IsStopping)
            {
                openStreams++;
                counted = true;
            }
        }

        if (counted)
        {
            context.GetHttpContext().Response.OnCompleted(() =>
            {
                StreamEnded();
                return Task.CompletedTask;
            });
        }

        return CallOrStopping(context);
    }

    /// <summary>True when <paramref name="context"/>'s stream was stopped by the host stopping, not by its client.</summary>
    public bool StoppedByHost(ServerCallContext context) => IsStopping && !context.CancellationToken.IsCancellationRequested;

    /// <summary>Completes when every stream counted by <see cref="OpenCheckStream"/> has completed its response.</summary>
    public Task AllStreamsEnded()
    {
        lock (gate)
        {
            if (openStreams == 0)
            {
                return Task.CompletedTask;
            }

            allEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return allEnded.Task;
        }
    }

    /// <summary>How long ago the last stream ended after the host began stopping; null if none did.</summary>
    public TimeSpan? SinceLastStreamEndedWhileStopping()
    {
        lock (gate)
        {
            return lastEndedWhileStopping is { } ended ? Stopwatch.GetElapsedTime(ended) : null;
        }
    }

    /// <summary>The status a stream ends with when the host stops: <paramref name="resume"/> tells the client what to do.</summary>
    public static RpcException Unavailable(string resume) =>
        new(new Status(StatusCode.Unavailable, $"the gateway is stopping: {resume}"));

    private void StreamEnded()
    {
        TaskCompletionSource? ended = null;
        lock (gate)
        {
            if (IsStopping)
            {
                lastEndedWhileStopping = Stopwatch.GetTimestamp();
            }

            if (--openStreams == 0)
            {
                ended = allEnded;
                allEnded = null;
            }
        }

        ended?.TrySetResult();
    }
}
