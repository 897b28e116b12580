using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// The operators' gRPC API: every call needs an operator credential (changes an administrator's); what each call does
/// is in <see cref="OperatorActions"/>, which the operators' console calls too.
/// </summary>
public sealed class OperatorService(OperatorActions actions) : V1.Operator.OperatorBase
{
    public override Task<V1.Thresholds> GetThresholds(V1.GetThresholdsRequest request, ServerCallContext context) =>
        actions.GetThresholds(context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.Thresholds> SetThresholds(V1.Thresholds request, ServerCallContext context) =>
        actions.SetThresholds(request, context.RequireOperator());

    public override Task<V1.SenderReport> GetSender(V1.GetSenderRequest request, ServerCallContext context) =>
        actions.GetSender(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.DelistResponse> Delist(V1.DelistRequest request, ServerCallContext context) =>
        actions.Delist(request, context.RequireOperator());

    public override Task<V1.ListDeliveriesResponse> ListDeliveries(V1.ListDeliveriesRequest request, ServerCallContext context) =>
        actions.ListDeliveries(request, context.RequireOperator());

    public override Task<V1.ListAuditResponse> ListAudit(V1.ListAuditRequest request, ServerCallContext context) =>
        actions.ListAudit(request, context.RequireOperator());

    public override Task<V1.ListDelistingRequestsResponse> ListDelistingRequests(V1.ListDelistingRequestsRequest request, ServerCallContext context) =>
        actions.ListDelistingRequests(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.DelistingRequest> ApproveDelisting(V1.ReviewDelistingRequest request, ServerCallContext context) =>
        actions.ReviewDelisting(request, context.RequireOperator(), approve: true);

    [RateLimitedWrite]
    public override Task<V1.DelistingRequest> RefuseDelisting(V1.ReviewDelistingRequest request, ServerCallContext context) =>
        actions.ReviewDelisting(request, context.RequireOperator(), approve: false);

    public override Task<V1.Overview> GetOverview(V1.GetOverviewRequest request, ServerCallContext context) =>
        actions.GetOverview(context.RequireOperator());

    public override Task<V1.ListTopSendersResponse> ListTopSenders(V1.ListTopSendersRequest request, ServerCallContext context) =>
        actions.ListTopSenders(request, context.RequireOperator());

    public override Task<V1.SenderActivity> GetSenderActivity(V1.GetSenderRequest request, ServerCallContext context) =>
        actions.GetSenderActivity(request, context.RequireOperator());

    public override Task<V1.ListCasesResponse> ListCases(V1.ListCasesRequest request, ServerCallContext context) =>
        actions.ListCases(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.Delivery> ResendDelivery(V1.ResendDeliveryRequest request, ServerCallContext context) =>
        actions.ResendDelivery(request, context.RequireOperator());

    public override Task<V1.SearchFilterListResponse> SearchFilterList(V1.SearchFilterListRequest request, ServerCallContext context) =>
        actions.SearchFilterList(request, context.RequireOperator());

    public override Task<V1.ListFilterChangesResponse> ListFilterChanges(V1.ListFilterChangesRequest request, ServerCallContext context) =>
        actions.ListFilterChanges(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.ListEntryResponse> ListEntry(V1.ListEntryRequest request, ServerCallContext context) =>
        actions.ListEntry(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.ListEntryResponse> UnlistEntry(V1.UnlistEntryRequest request, ServerCallContext context) =>
        actions.UnlistEntry(request, context.RequireOperator());

    [RateLimitedWrite]
    public override Task<V1.ImportEntriesResponse> ImportEntries(V1.ImportEntriesRequest request, ServerCallContext context) =>
        actions.ImportEntries(request, context.RequireOperator());
}
