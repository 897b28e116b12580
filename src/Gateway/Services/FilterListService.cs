using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>The filter-list feed, served from this gateway's replica (no grain call per subscriber or change).</summary>
public sealed class FilterListService(FilterListReplica replica) : V1.FilterList.FilterListBase
{
    public override async Task Subscribe(V1.SubscribeFilterListRequest request, IServerStreamWriter<V1.FilterListUpdate> responseStream, ServerCallContext context)
    {
        context.Caller();
        await replica.WhenReady.WaitAsync(context.CancellationToken);
        var from = request.FromVersion > long.MaxValue ? long.MaxValue : (long)request.FromVersion;
        using var subscription = replica.Subscribe(from);
        var catchUp = subscription.CatchUp;
        if (catchUp.Snapshot is not null)
        {
            await responseStream.WriteAsync(new V1.FilterListUpdate { Snapshot = ViolationMapping.ToSnapshot(catchUp) });
        }

        foreach (var change in catchUp.Changes)
        {
            await responseStream.WriteAsync(new V1.FilterListUpdate { Change = ViolationMapping.ToProto(change) });
        }

        try
        {
            await foreach (var update in subscription.Live.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(update.Snapshot is { } snapshot
                    ? new V1.FilterListUpdate { Snapshot = ViolationMapping.ToSnapshot(snapshot) }
                    : new V1.FilterListUpdate { Change = ViolationMapping.ToProto(update.Change!) });
            }
        }
        catch (SubscriberTooSlowException error)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, error.Message));
        }

        // The live feed ends only when this gateway stops.
        throw new RpcException(new Status(StatusCode.Unavailable, "the gateway is stopping; subscribe again from your last version"));
    }

    public override async Task<V1.FilterListSnapshot> GetSnapshot(V1.GetFilterListSnapshotRequest request, ServerCallContext context)
    {
        context.Caller();
        await replica.WhenReady.WaitAsync(context.CancellationToken);
        return ViolationMapping.ToSnapshot(replica.Snapshot());
    }
}
