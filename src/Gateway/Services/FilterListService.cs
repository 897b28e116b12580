using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// The filter-list feed, served from this gateway's replica (no grain call per subscriber or change). A subscription
/// ends with <c>Unavailable</c> as soon as the gateway stops, so that the subscriber resumes elsewhere from its version.
/// </summary>
public sealed class FilterListService(FilterListReplica replica, GatewayStopping stopping) : V1.FilterList.FilterListBase
{
    private const string Resume = "subscribe again from your last version";

    public override async Task Subscribe(V1.SubscribeFilterListRequest request, IServerStreamWriter<V1.FilterListUpdate> responseStream, ServerCallContext context)
    {
        context.Caller();
        using var until = stopping.CallOrStopping(context);
        try
        {
            await SubscribeAsync(request, responseStream, until.Token);
        }
        catch (OperationCanceledException) when (stopping.StoppedByHost(context))
        {
        }

        // The live feed ends only when this gateway stops.
        throw GatewayStopping.Unavailable(Resume);
    }

    public override async Task<V1.FilterListSnapshot> GetSnapshot(V1.GetFilterListSnapshotRequest request, ServerCallContext context)
    {
        context.Caller();
        await replica.WhenReady.WaitAsync(context.CancellationToken);
        return ViolationMapping.ToSnapshot(replica.Snapshot());
    }

    private async Task SubscribeAsync(V1.SubscribeFilterListRequest request, IServerStreamWriter<V1.FilterListUpdate> responseStream, CancellationToken cancellationToken)
    {
        await replica.WhenReady.WaitAsync(cancellationToken);
        var from = request.FromVersion > long.MaxValue ? long.MaxValue : (long)request.FromVersion;
        using var subscription = replica.Subscribe(from);
        var catchUp = subscription.CatchUp;
        if (catchUp.Snapshot is not null)
        {
            await responseStream.WriteAsync(new V1.FilterListUpdate { Snapshot = ViolationMapping.ToSnapshot(catchUp) }, cancellationToken);
        }

        foreach (var change in catchUp.Changes)
        {
            await responseStream.WriteAsync(new V1.FilterListUpdate { Change = ViolationMapping.ToProto(change) }, cancellationToken);
        }

        try
        {
            await foreach (var update in subscription.Live.ReadAllAsync(cancellationToken))
            {
                await responseStream.WriteAsync(
                    update.Snapshot is { } snapshot
                        ? new V1.FilterListUpdate { Snapshot = ViolationMapping.ToSnapshot(snapshot) }
                        : new V1.FilterListUpdate { Change = ViolationMapping.ToProto(update.Change!) },
                    cancellationToken);
            }
        }
        catch (SubscriberTooSlowException error)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, error.Message));
        }
    }
}
