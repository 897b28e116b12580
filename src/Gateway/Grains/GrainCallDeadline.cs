using System.Collections.Concurrent;
using System.Reflection;
using Clearinghouse.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Clearinghouse.Gateway.Grains;

/// <summary>
/// Bounds every grain call the gateway makes (a call not made by a grain) by <see cref="GatewayOptions.GrainCallTimeout"/>
/// (<see cref="GatewayOptions.WriteCallTimeout"/> for a write marked <see cref="WaitsOutCacheLeasesAttribute"/>), and turns the cluster's failures into a <see cref="GrainCallFailedException"/> that says what happened. Without it a
/// call to a grain on a frozen silo waited until Orleans declared that silo dead or its 30 s response timeout, and
/// every such failure was reported as a timeout. A call that times out may still complete in the cluster afterwards:
/// the caller is told so. Calls made by grains pass untouched.
/// </summary>
public sealed class GrainCallDeadline(IOptions<GatewayOptions> options, IHostApplicationLifetime lifetime) : IOutgoingGrainCallFilter
{
    private readonly TimeSpan timeout = options.Value.GrainCallTimeout;
    private readonly TimeSpan writeTimeout = options.Value.WriteCallTimeout;

    // Whether a method waits out cache leases, looked up once per method rather than by reflection on every call.
    private readonly ConcurrentDictionary<MethodInfo, bool> waitsOutLeases = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceContext is not null)
        {
            await context.Invoke();
            return;
        }

        var method = context.InterfaceMethod;
        var bound = method is not null && waitsOutLeases.GetOrAdd(method, m => m.IsDefined(typeof(WaitsOutCacheLeasesAttribute), inherit: false)) ? writeTimeout : timeout;
        var call = context.Invoke();
        try
        {
            await call.WaitAsync(bound);
        }
        catch (TimeoutException error) when (!call.IsCompleted)
        {
            throw Failed(GrainCallFailure.TimedOut, error, bound);
        }
        catch (Exception error) when (Classify(error) is { } failure)
        {
            throw Failed(failure, error, bound);
        }
    }

    private GrainCallFailure? Classify(Exception error) => error switch
    {
        _ when lifetime.ApplicationStopping.IsCancellationRequested && error is OrleansException or TimeoutException => GrainCallFailure.GatewayStopping,
        InconsistentStateException or StateNotPersistedException => GrainCallFailure.Storage,
        OrleansException when error.Message.Contains("compatible", StringComparison.Ordinal) => GrainCallFailure.NoSilo,
        OrleansMessageRejectionException or ActivationSupersededException => GrainCallFailure.SiloUnavailable,
        OrleansException when error.Message.StartsWith("Error from storage provider", StringComparison.Ordinal) => GrainCallFailure.Storage,
        TimeoutException when error.GetType() == typeof(TimeoutException) => GrainCallFailure.TimedOut,
        TimeoutException => GrainCallFailure.Storage,
        OrleansException => GrainCallFailure.Cluster,
        _ => null,
    };

    private static GrainCallFailedException Failed(GrainCallFailure failure, Exception error, TimeSpan bound) => new(failure, failure switch
    {
        GrainCallFailure.TimedOut => $"the cluster did not answer within {bound.TotalSeconds:0.###} s (a silo may be frozen or overloaded); the call may still take effect. Retry, on another gateway if there is one",
        GrainCallFailure.GatewayStopping => "this gateway is stopping: retry on another gateway",
        GrainCallFailure.SiloUnavailable => "the silo holding this data is stopping, down, or being declared dead: retry in a few seconds, on another gateway if there is one",
        GrainCallFailure.NoSilo => "no silo can serve this data now (the cluster is starting or has no active silo): retry",
        GrainCallFailure.Storage => "storage did not complete the read or write: retry",
        _ => $"the cluster could not complete the call ({error.GetType().Name}): retry",
    }, error);
}
