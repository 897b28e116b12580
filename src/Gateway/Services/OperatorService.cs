using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>The operators' API: every call needs an operator credential and is validated before any grain is called.</summary>
public sealed class OperatorService(IGrainFactory grains) : V1.Operator.OperatorBase
{
    private const string DefaultDelistReason = "delisted by an operator";
    private const string DefaultListReason = "listed by an operator";

    public override async Task<V1.Thresholds> GetThresholds(V1.GetThresholdsRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var view = await grains.GetGrain<IViolationRanking>(0).GetView();
        return ViolationMapping.ToProto(view.Settings);
    }

    [RateLimitedWrite]
    public override async Task<V1.Thresholds> SetThresholds(V1.Thresholds request, ServerCallContext context)
    {
        context.RequireOperator();
        var settings = ViolationMapping.ToDomain(request);
        return ViolationMapping.ToProto(await grains.GetGrain<IViolationRanking>(0).SetSettings(settings));
    }

    public override async Task<V1.SenderReport> GetSender(V1.GetSenderRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var sender = Address.Parse(request.Sender, "sender");
        var status = grains.GetGrain<ISender>(sender.Value).GetStatus();
        var domain = grains.GetGrain<ISenderDomain>(sender.Domain).GetStatus();
        return ViolationMapping.ToProto(await status, await domain);
    }

    [RateLimitedWrite]
    public override async Task<V1.DelistResponse> Delist(V1.DelistRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var sender = Address.Parse(request.Sender, "sender");
        var reason = ParseReason(request.Reason, DefaultDelistReason);
        var delisted = await grains.GetGrain<ISender>(sender.Value).Delist(reason);
        return new V1.DelistResponse { Delisted = delisted };
    }

    public override async Task<V1.ListDeliveriesResponse> ListDeliveries(V1.ListDeliveriesRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var status = ViolationMapping.ToDomain(request.Status);
        if (request.Limit > 1000)
        {
            throw new InvalidFieldException("limit", "must be at most 1000");
        }

        var limit = request.Limit == 0 ? 100 : (int)request.Limit;
        var deliveries = await grains.GetGrain<IEscalationOutbox>(0).List(status, limit);
        var response = new V1.ListDeliveriesResponse();
        response.Deliveries.AddRange(deliveries.Select(ViolationMapping.ToProto));
        return response;
    }

    [RateLimitedWrite]
    public override async Task<V1.ListEntryResponse> ListEntry(V1.ListEntryRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var entry = ParseOperatorEntry(request.Kind, request.Value);
        var reason = ParseReason(request.Reason, DefaultListReason);
        var change = await grains.GetGrain<IFilterList>(0).Append(FilterChangeOp.Add, entry, reason, "op-" + Guid.CreateVersion7().ToString("n"));
        return ToResponse(change, entry);
    }

    [RateLimitedWrite]
    public override async Task<V1.ListEntryResponse> UnlistEntry(V1.UnlistEntryRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var entry = ParseOperatorEntry(request.Kind, request.Value);
        var reason = ParseReason(request.Reason, DefaultDelistReason);
        var change = await grains.GetGrain<IFilterList>(0).Append(FilterChangeOp.Remove, entry, reason, "");
        return ToResponse(change, entry);
    }

    // Addresses belong to their sender's grain (escalation lists them, Delist removes them), so that its state and
    // the list agree.
    private static FilterEntry ParseOperatorEntry(V1.FilterEntryKind kind, string value)
    {
        var domainKind = ViolationMapping.ToDomain(kind, "kind");
        if (domainKind == FilterEntryKind.AddressSha256)
        {
            throw new InvalidFieldException("kind", "addresses are listed by escalation and removed with Delist; use FILTER_ENTRY_KIND_DOMAIN or FILTER_ENTRY_KIND_IP");
        }

        return FilterEntry.Parse(domainKind, value, "value");
    }

    private static string ParseReason(string reason, string fallback)
    {
        if (!ReplyText.TryValidate(reason, out var problem))
        {
            throw new InvalidFieldException("reason", problem);
        }

        return ReplyText.Sanitize(reason) is { Length: > 0 } text ? text : fallback;
    }

    private static V1.ListEntryResponse ToResponse(FilterChange? change, FilterEntry entry) => new()
    {
        Changed = change is not null,
        Version = (ulong)(change?.Version ?? 0),
        CaseId = change?.CaseId ?? "",
        Value = entry.Value,
    };
}
