using System.Globalization;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Public;
using Clearinghouse.Gateway.Security;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// The operators' API: every call needs an operator credential and is validated before any grain is called. Every
/// action is recorded in the audit trail under the operator's name once it is done; an action whose entry cannot be
/// written is answered with an error (it may have been applied: the actions are idempotent, repeat it).
/// </summary>
public sealed class OperatorService(IGrainFactory grains) : V1.Operator.OperatorBase
{
    private const string DefaultDelistReason = "delisted by an operator";
    private const int MaxFilterLength = 512;
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
        var caller = context.RequireOperator();
        var settings = ViolationMapping.ToDomain(request);
        var ranking = grains.GetGrain<IViolationRanking>(0);
        var before = (await ranking.GetView()).Settings;
        var after = await ranking.SetSettings(settings);
        await AuditAsync(caller, AuditNames.ThresholdsSet, AuditNames.ThresholdsTarget, "", [.. Describe("before", before), .. Describe("after", after)]);
        return ViolationMapping.ToProto(after);
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
        var caller = context.RequireOperator();
        var sender = Address.Parse(request.Sender, "sender");
        var reason = ParseReason(request.Reason, DefaultDelistReason);
        var delisted = await grains.GetGrain<ISender>(sender.Value).Delist(reason);
        await AuditAsync(caller, AuditNames.SenderDelist, AuditNames.Sender(sender), reason, [new("delisted", delisted ? "true" : "false (was not listed)")]);
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

    public override async Task<V1.ListAuditResponse> ListAudit(V1.ListAuditRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        var filter = new AuditFilter(
            Filter(request.Actor, "actor"),
            Filter(request.Action, "action"),
            Filter(request.Target, "target"),
            ProtoTime.ToInstant(request.Since, "since"),
            ProtoTime.ToInstant(request.Until, "until"));
        if (filter.Since is { } since && filter.Until is { } until && since >= until)
        {
            throw new InvalidFieldException("until", "must be after since");
        }

        if (request.PageSize > 1000)
        {
            throw new InvalidFieldException("page_size", "must be at most 1000");
        }

        long? before = null;
        if (request.PageToken.Length > 0)
        {
            before = long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var token) && token > 0
                ? token
                : throw new InvalidFieldException("page_token", "is not a next_page_token of this API");
        }

        var pageSize = request.PageSize == 0 ? 100 : (int)request.PageSize;
        var head = await grains.GetGrain<IAuditTrail>(0).GetHead();
        var page = await AuditPager.ReadAsync(head, filter, before, pageSize, (segment, below, max) => grains.GetGrain<IAuditSegment>(segment).Read(filter, below, max));
        var response = new V1.ListAuditResponse { NextPageToken = page.NextBefore?.ToString(CultureInfo.InvariantCulture) ?? "" };
        response.Entries.AddRange(page.Entries.Select(ToProto));
        return response;
    }

    public override async Task<V1.ListDelistingRequestsResponse> ListDelistingRequests(V1.ListDelistingRequestsRequest request, ServerCallContext context)
    {
        context.RequireOperator();
        if (request.Limit > 1000)
        {
            throw new InvalidFieldException("limit", "must be at most 1000");
        }

        var waiting = await grains.GetGrain<IDelistingReviews>(0).List(request.Limit == 0 ? 100 : (int)request.Limit);
        var response = new V1.ListDelistingRequestsResponse();
        response.Requests.AddRange(waiting.Select(DelistingMapping.ToProto));
        return response;
    }

    [RateLimitedWrite]
    public override Task<V1.DelistingRequest> ApproveDelisting(V1.ReviewDelistingRequest request, ServerCallContext context) =>
        ReviewAsync(request, context, approve: true);

    [RateLimitedWrite]
    public override Task<V1.DelistingRequest> RefuseDelisting(V1.ReviewDelistingRequest request, ServerCallContext context) =>
        ReviewAsync(request, context, approve: false);

    /// <summary>An operator's decision, carried out and audited by the subject's grain under the operator's name.</summary>
    private async Task<V1.DelistingRequest> ReviewAsync(V1.ReviewDelistingRequest request, ServerCallContext context, bool approve)
    {
        var caller = context.RequireOperator();
        var id = DelistingDesk.RequestId(request.RequestId);
        if (!ReplyText.TryValidate(request.Reason, out var problem))
        {
            throw new InvalidFieldException("reason", problem);
        }

        var reason = ReplyText.Sanitize(request.Reason);
        if (reason.Length == 0)
        {
            reason = approve ? "approved by an operator" : throw new InvalidFieldException("reason", "is required to refuse: the requester reads it");
        }

        var waiting = await grains.GetGrain<IDelistingReviews>(0).Find(id)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "request_id: no request with this id is waiting for review"));
        var decided = await grains.GetGrain<IDelistingRequests>(waiting.Subject.Key).Review(id, approve, caller.Id, reason);
        return DelistingMapping.ToProto(decided);
    }

    private static V1.AuditEntry ToProto(AuditEntry entry)
    {
        var proto = new V1.AuditEntry
        {
            Sequence = (ulong)entry.Sequence,
            At = Timestamp.FromDateTimeOffset(entry.At),
            Actor = entry.Event.Actor,
            Action = entry.Event.Action,
            Target = entry.Event.Target,
            Reason = entry.Event.Reason,
        };
        foreach (var (key, value) in entry.Event.Details)
        {
            proto.Details[key] = value;
        }

        return proto;
    }

    private static string? Filter(string value, string field)
    {
        var text = value.Trim();
        if (text.Length > MaxFilterLength || text.Any(char.IsControl))
        {
            throw new InvalidFieldException(field, $"must be at most {MaxFilterLength} printable characters");
        }

        return text.Length == 0 ? null : text;
    }

    private Task AuditAsync(Caller caller, string action, string target, string reason, IEnumerable<KeyValuePair<string, string>> details) =>
        grains.GetGrain<IAuditTrail>(0).Append(AuditEvent.Create(AuditNames.Operator(caller.Id), action, target, reason, details));

    private static IEnumerable<KeyValuePair<string, string>> Describe(string prefix, ThresholdSettings settings) =>
    [
        new($"{prefix}.mode", settings.Mode.ToString()),
        new($"{prefix}.absolute_threshold", settings.AbsoluteThreshold.ToString(CultureInfo.InvariantCulture)),
        new($"{prefix}.rank_divisor", settings.RankDivisor.ToString(CultureInfo.InvariantCulture)),
        new($"{prefix}.minimum_providers", settings.MinimumProviders.ToString(CultureInfo.InvariantCulture)),
    ];

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
