using System.Diagnostics;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// What workloads see of a run: the silos' gRPC endpoints, routed like a load balancer with health checks (a silo the
/// harness killed gets no calls until it serves again), and the run's clock.
/// </summary>
public sealed class ChaosContext(LocalCluster cluster, ChaosOptions options)
{
    private readonly bool[] down = new bool[cluster.Silos.Count];
    private readonly IReadOnlyList<CallInvoker> invokers = cluster.Invokers;
    private long next;

    public LocalCluster Cluster { get; } = cluster;

    public ChaosOptions Options { get; } = options;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Deadline of one call: long enough to ride out a failover, short enough to count as an error.</summary>
    public static TimeSpan CallTimeout { get; } = TimeSpan.FromSeconds(10);

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

    /// <summary>The next silo that is up, round robin.</summary>
    public CallInvoker NextInvoker()
    {
        for (var attempt = 0; attempt < invokers.Count; attempt++)
        {
            var index = (int)(Interlocked.Increment(ref next) % invokers.Count);
            if (!Volatile.Read(ref down[index]))
            {
                return invokers[index];
            }
        }

        return invokers[0];
    }

    public CallInvoker Invoker(int silo) => invokers[silo];

    /// <summary>From the fault until every silo answered again (set before workloads verify).</summary>
    public (TimeSpan Start, TimeSpan End) FailoverWindow { get; internal set; }

    internal void SetDown(int silo, bool isDown) => Volatile.Write(ref down[silo], isDown);
}
