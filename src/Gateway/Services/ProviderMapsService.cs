using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Maps;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// A provider manages its own maps; the caller's key says which. Every request is validated in full before the grain
/// is called; after a change the new maps are installed on this gateway before the change is answered.
/// </summary>
public sealed class ProviderMapsService(IGrainFactory grains, ProviderMapsReplica replica, TimeProvider clock) : V1.ProviderMaps.ProviderMapsBase
{
    public const int MaxEntriesPerCall = 10_000;

    [RateLimitedWrite]
    public override async Task<V1.MapChangeResponse> PutMapEntries(V1.PutMapEntriesRequest request, ServerCallContext context)
    {
        var map = ProtoMapping.ToDomain(request.Map);
        var caller = context.RequireProvider();
        CheckCount(request.Entries.Count, "entries");
        var now = clock.GetUtcNow();
        var entries = new MapEntry[request.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = request.Entries[i];
            var field = $"entries[{i}]";
            var identifier = MapIdentifier.Parse(map, entry.Identifier, field + ".identifier");
            RequireOwned(caller, identifier, field + ".identifier");
            var action = ProtoMapping.ToDomain(entry.Action, field + ".action");
            if (!ReplyText.TryValidate(entry.Message ?? "", out var problem))
            {
                throw new InvalidFieldException(field + ".message", problem);
            }

            entries[i] = new MapEntry(identifier.Value, action, ReplyText.Sanitize(entry.Message), now);
        }

        return Answer(caller, await Maps(caller).PutEntries(map, entries));
    }

    [RateLimitedWrite]
    public override async Task<V1.MapChangeResponse> RemoveMapEntries(V1.RemoveMapEntriesRequest request, ServerCallContext context)
    {
        var map = ProtoMapping.ToDomain(request.Map);
        var caller = context.RequireProvider();
        CheckCount(request.Identifiers.Count, "identifiers");
        var identifiers = request.Identifiers.Select((text, i) => MapIdentifier.Parse(map, text, $"identifiers[{i}]").Value).ToArray();
        return Answer(caller, await Maps(caller).RemoveEntries(map, identifiers));
    }

    public override async Task<V1.ListMapEntriesResponse> ListMapEntries(V1.ListMapEntriesRequest request, ServerCallContext context)
    {
        var map = ProtoMapping.ToDomain(request.Map);
        var caller = context.RequireProvider();
        if (request.Limit > MaxEntriesPerCall)
        {
            throw new InvalidFieldException("limit", $"must be at most {MaxEntriesPerCall}");
        }

        var snapshot = await Maps(caller).GetSnapshot();
        var all = map == MapKind.Connection ? snapshot.Connections : snapshot.Recipients;
        var response = new V1.ListMapEntriesResponse { Total = (uint)all.Length, Version = (ulong)snapshot.Version };
        response.Entries.AddRange(all
            .OrderBy(e => e.Identifier, StringComparer.Ordinal)
            .Skip((int)Math.Min(request.Offset, int.MaxValue))
            .Take(request.Limit == 0 ? MaxEntriesPerCall : (int)request.Limit)
            .Select(ProtoMapping.ToProto));
        return response;
    }

    [RateLimitedWrite]
    public override async Task<V1.MapChangeResponse> PutSenderListEntries(V1.PutSenderListEntriesRequest request, ServerCallContext context)
    {
        var caller = context.RequireProvider();
        CheckCount(request.Entries.Count, "entries");
        var entries = request.Entries.Select((entry, i) => ProtoMapping.ToDomain(entry, $"entries[{i}]")).ToArray();
        return Answer(caller, await Maps(caller).PutSenderListEntries(entries));
    }

    [RateLimitedWrite]
    public override async Task<V1.MapChangeResponse> RemoveSenderListEntries(V1.RemoveSenderListEntriesRequest request, ServerCallContext context)
    {
        var caller = context.RequireProvider();
        CheckCount(request.Keys.Count, "keys");
        var keys = request.Keys
            .Select((key, i) => new SenderListKey(SenderPattern.Parse(key.Pattern, $"keys[{i}].pattern"), ProtoMapping.ToDomain(key.Channel, $"keys[{i}].channel")))
            .ToArray();
        return Answer(caller, await Maps(caller).RemoveSenderListEntries(keys));
    }

    public override async Task<V1.ListSenderListResponse> ListSenderList(V1.ListSenderListRequest request, ServerCallContext context)
    {
        var caller = context.RequireProvider();
        var snapshot = await Maps(caller).GetSnapshot();
        var response = new V1.ListSenderListResponse();
        response.Entries.AddRange(snapshot.Senders.Select(ProtoMapping.ToProto));
        return response;
    }

    private IProviderMaps Maps(Caller caller) => grains.GetGrain<IProviderMaps>(caller.Id);

    private V1.MapChangeResponse Answer(Caller caller, MapChange change)
    {
        replica.Install(caller.Id, change.Snapshot);
        return new V1.MapChangeResponse
        {
            Added = (uint)change.Added,
            Replaced = (uint)change.Replaced,
            Removed = (uint)change.Removed,
            Version = (ulong)change.Snapshot.Version,
        };
    }

    private static void CheckCount(int count, string field)
    {
        if (count == 0)
        {
            throw new InvalidFieldException(field, "at least one is required");
        }

        if (count > MaxEntriesPerCall)
        {
            throw new InvalidFieldException(field, $"at most {MaxEntriesPerCall} per call");
        }
    }

    // A recipient map entry must name recipients the provider manages; connection map entries name senders, anyone's.
    private static void RequireOwned(Caller caller, MapIdentifier identifier, string field)
    {
        var owned = identifier.Kind switch
        {
            MapIdentifierKind.RecipientAddress => caller.Owns(Address.Parse(identifier.Value, field)),
            MapIdentifierKind.RecipientDomain => caller.OwnsDomain(identifier.Value),
            MapIdentifierKind.RecipientSubdomains => caller.OwnsAllSubdomainsOf(identifier.Domain),
            _ => true,
        };
        if (!owned)
        {
            // The detail names the domain, never a recipient address: gRPC logs status details.
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{field}: {identifier.Domain} is not in the domains this provider manages"));
        }
    }
}
