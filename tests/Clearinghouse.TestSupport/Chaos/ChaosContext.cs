using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>What a call made through <see cref="ChaosContext.CallAsync{T}"/> returned: its value, or null when it failed.</summary>
public sealed record CallResult<T>(CallRecord Call, T? Value, StatusCode? Error)
    where T : class;

/// <summary>
/// What workloads see of a run: the silos' gRPC endpoints, routed like a load balancer with health checks (a silo the
/// harness took down gets no calls until it serves again; a frozen one still gets them, since its health checks have
/// not failed yet), the run's clock, and when each silo was under a fault.
/// </summary>
public sealed class ChaosContext(LocalCluster cluster, ChaosOptions options)
{
    private readonly bool[] down = new bool[cluster.Silos.Count];
    private readonly bool[] faulted = new bool[cluster.Silos.Count];
    private readonly IReadOnlyList<CallInvoker> invokers = cluster.Invokers;
    private readonly IReadOnlyList<CallInvoker> secondProviderInvokers = cluster.InvokersAs(HarnessTenant.SecondProviderKey);
    private readonly ConcurrentQueue<(int Silo, TimeSpan From, TimeSpan To)> faultWindows = new();
    private readonly TimeSpan?[] faultedSince = new TimeSpan?[cluster.Silos.Count];
    private readonly ConcurrentQueue<(TimeSpan At, string What)> events = new();
    private long next;

    public LocalCluster Cluster { get; } = cluster;

    public ChaosOptions Options { get; } = options;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Deadline of one call: long enough to ride out a failover, short enough to count as an error.</summary>
    public static TimeSpan CallTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>From the fault until every silo answered again (set before workloads verify).</summary>
    public (TimeSpan Start, TimeSpan End) FailoverWindow { get; internal set; }

    /// <summary>When a paused silo was resumed (SIGCONT), on the run's clock.</summary>
    public TimeSpan? ResumedAt { get; internal set; }

    public static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    /// <summary>
    /// A set-up call (seeding, reading back) made as a client would: retried while the cluster answers Unavailable
    /// or does not answer in time, for up to a minute.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        var giveUp = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException error) when (error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    /// <summary>The next silo that is up, round robin; with <paramref name="avoidFaulted"/>, not one under a fault either.</summary>
    public int NextSilo(bool avoidFaulted = false)
    {
        for (var attempt = 0; attempt < invokers.Count; attempt++)
        {
            var index = (int)(Interlocked.Increment(ref next) % invokers.Count);
            if (!Volatile.Read(ref down[index]) && !(avoidFaulted && Volatile.Read(ref faulted[index])))
            {
                return index;
            }
        }

        return 0;
    }

    public CallInvoker NextInvoker() => invokers[NextSilo()];

    public CallInvoker Invoker(int silo) => invokers[silo];

    /// <summary>
    /// One call of the load through the next silo up (not one under a fault, with <paramref name="avoidFaulted"/>), as
    /// the harness provider or <paramref name="asSecondProvider"/>, timed and recorded in <paramref name="timeline"/>
    /// with its <paramref name="kind"/> and <paramref name="subject"/> (the recipient or sender it is about).
    /// </summary>
    public async Task<CallResult<T>> CallAsync<T>(CallTimeline timeline, Func<CallInvoker, Task<T>> call, string kind, string? subject, bool avoidFaulted = false, bool asSecondProvider = false)
        where T : class
    {
        var through = NextSilo(avoidFaulted);
        var started = Clock.Elapsed;
        T? value = null;
        StatusCode? error = null;
        string? detail = null;
        try
        {
            value = await call((asSecondProvider ? secondProviderInvokers : invokers)[through]);
        }
        catch (RpcException failure)
        {
            error = failure.StatusCode;
            detail = failure.Status.Detail;
        }

        var record = new CallRecord(through, started, Clock.Elapsed, error is not null) { Kind = kind, Subject = subject, Status = error, Detail = detail };
        timeline.Record(record);
        return new CallResult<T>(record, value, error);
    }

    /// <summary>When each silo's fault began and ended (it served again), on the run's clock, in order.</summary>
    public IReadOnlyList<(TimeSpan At, string What)> Events => [.. events];

    /// <summary>Whether <paramref name="silo"/> was under a fault at <paramref name="at"/> (or is still).</summary>
    public bool WasFaulted(int silo, TimeSpan at) =>
        silo < faultedSince.Length
        && (faultWindows.Any(w => w.Silo == silo && at >= w.From && at <= w.To) || (faultedSince[silo] is { } since && at >= since));

    /// <summary>Whether <paramref name="call"/> went through a gateway that was under a fault at some time during it.</summary>
    public bool ThroughFaultedGateway(CallRecord call) =>
        faultWindows.Any(w => w.Silo == call.Silo && call.Ended >= w.From && call.Started <= w.To)
        || (faultedSince[call.Silo] is { } since && call.Ended >= since);

    /// <summary>A silo's fault begins (killed, frozen, stopping): with <paramref name="takeOut"/>, the load balancer stops sending it calls.</summary>
    internal void FaultBegins(int silo, bool takeOut)
    {
        faultedSince[silo] = Clock.Elapsed;
        events.Enqueue((Clock.Elapsed, $"silo {silo}'s fault"));
        Volatile.Write(ref faulted[silo], true);
        Volatile.Write(ref down[silo], takeOut || Volatile.Read(ref down[silo]));
    }

    /// <summary>The load balancer stops sending calls to <paramref name="silo"/> (it stopped answering its health checks).</summary>
    internal void TakeOut(int silo) => Volatile.Write(ref down[silo], true);

    /// <summary>A silo serves again: it gets calls again, and its fault window closes.</summary>
    /// <summary>
    /// A silo that was down serves again: once the load's own channel to it is connected again (as a load balancer
    /// puts a backend back only once its own connection to it is up), it gets calls again and its fault window closes.
    /// </summary>
    internal async Task ServesAgainAsync(int silo)
    {
        try
        {
            await Cluster.ConnectAsync(silo, TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            events.Enqueue((Clock.Elapsed, $"the load's channel to silo {silo} did not connect within 10 s"));
        }

        FaultEnds(silo);
    }

    private void FaultEnds(int silo)
    {
        if (faultedSince[silo] is { } since)
        {
            faultWindows.Enqueue((silo, since, Clock.Elapsed));
            events.Enqueue((Clock.Elapsed, $"silo {silo} served again"));
            faultedSince[silo] = null;
        }

        Volatile.Write(ref faulted[silo], false);
        Volatile.Write(ref down[silo], false);
    }
}
