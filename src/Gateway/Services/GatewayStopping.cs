using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// Ends long-lived streams when the host stops. Kestrel's graceful shutdown waits for every open request, so a stream
/// left open (a filter-list subscription, an MTA's check stream) would hold a stopping silo until its shutdown timeout;
/// instead a stream stops at <see cref="IHostApplicationLifetime.ApplicationStopping"/> and ends with
/// <c>Unavailable</c>, which a client reads as "reconnect, to another gateway if need be".
/// </summary>
public sealed class GatewayStopping(IHostApplicationLifetime lifetime)
{
    public bool IsStopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Cancelled when the call ends or the host starts stopping, whichever is first.</summary>
    public CancellationTokenSource CallOrStopping(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    /// <summary>True when <paramref name="context"/>'s stream was stopped by the host stopping, not by its client.</summary>
    public bool StoppedByHost(ServerCallContext context) => IsStopping && !context.CancellationToken.IsCancellationRequested;

    /// <summary>The status a stream ends with when the host stops: <paramref name="resume"/> tells the client what to do.</summary>
    public static RpcException Unavailable(string resume) =>
        new(new Status(StatusCode.Unavailable, $"the gateway is stopping: {resume}"));
}
