using System.Globalization;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Console;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Public;
using Clearinghouse.Gateway.Security;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// What the operator API does, call by call, for an authenticated caller: the gRPC service (<see cref="OperatorService"/>)
/// and the operators' console both call these, so that whatever an operator can click a script can call, with the
/// same checks. Reads need an operator, changes an administrator; input is validated before any grain is called.
/// Every change is recorded in the audit trail under the operator's name once it is done; a change whose entry cannot
/// be written is answered with an error (it may have been applied: the changes are idempotent, repeat it).
/// </summary>
public sealed class OperatorActions(IGrainFactory grains, FilterListReplica replica, OverviewSampler overview, SenderRanking ranking)
{
    private const string DefaultDelistReason = "delisted by an operator";
    private const string DefaultListReason = "listed by an operator";
    private const int MaxFilterLength = 512;
    private const int MinimumIPv4Prefix = 8;
    private const int MinimumIPv6Prefix = 16;

    /// <summary>How long a list change waits for this gateway's replica to hold it before it is answered anyway.</summary>
    private static readonly TimeSpan ReplicaCatchUp = TimeSpan.FromSeconds(2);

    /// <summary>The most entries one <see cref="ImportEntries"/> call lists.</summary>
    public const int MaxImportEntries = 10_000;

    public async Task<V1.Thresholds> GetThresholds(Caller caller)
    {
        caller.RequireOperator();
        var view = await grains.GetGrain<IViolationRanking>(0).GetView();
        return ViolationMapping.ToProto(view.Settings);
    }

    public async Task<V1.Thresholds> SetThresholds(V1.Thresholds request, Caller caller)
    {
        caller.RequireAdministrator();
        var settings = ViolationMapping.ToDomain(request);
        var ranking = grains.GetGrain<IViolationRanking>(0);
        var before = (await ranking.GetView()).Settings;
        var after = await ranking.SetSettings(settings);
        await AuditAsync(caller, AuditNames.ThresholdsSet, AuditNames.ThresholdsTarget, "", [.. Describe("before", before), .. Describe("after", after)]);
        return ViolationMapping.ToProto(after);
    }

    public async Task<V1.SenderReport> GetSender(V1.GetSenderRequest request, Caller caller)
    {
        caller.RequireOperator();
        var sender = Address.Parse(request.Sender, "sender");
        var status = grains.GetGrain<ISender>(sender.Value).GetStatus();
        var domain = grains.GetGrain<ISenderDomain>(sender.Domain).GetStatus();
        var forgery = grains.GetGrain<IForgedDomain>(sender.Domain).GetStatus();
        return ViolationMapping.ToProto(await status, await domain, await forgery);
    }

    public async Task<V1.DelistResponse> Delist(V1.DelistRequest request, Caller caller)
    {
        caller.RequireAdministrator();
        var sender = Address.Parse(request.Sender, "sender");
        var reason = Reason(request.Reason, DefaultDelistReason);
        var delisted = await grains.GetGrain<ISender>(sender.Value).Delist(reason);
        await AuditAsync(caller, AuditNames.SenderDelist, AuditNames.Sender(sender), reason, [new("delisted", delisted ? "true" : "false (was not listed)")]);
        return new V1.DelistResponse { Delisted = delisted };
    }

    public async Task<V1.ListDeliveriesResponse> ListDeliveries(V1.ListDeliveriesRequest request, Caller caller)
    {
        caller.RequireOperator();
        var status = ViolationMapping.ToDomain(request.Status);
        var limit = Limit(request.Limit, "limit", 100, 1000);
        var deliveries = await grains.GetGrain<IEscalationOutbox>(0).List(status, limit);
        var response = new V1.ListDeliveriesResponse();
        response.Deliveries.AddRange(deliveries.Select(ViolationMapping.ToProto));
        return response;
    }

    public async Task<V1.ListAuditResponse> ListAudit(V1.ListAuditRequest request, Caller caller)
    {
        caller.RequireOperator();
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

        var pageSize = Limit(request.PageSize, "page_size", 100, 1000);
        var before = PageToken(request.PageToken);
        var head = await grains.GetGrain<IAuditTrail>(0).GetHead();
        var page = await AuditPager.ReadAsync(head, filter, before, pageSize, (segment, below, max) => grains.GetGrain<IAuditSegment>(segment).Read(filter, below, max));
        var response = new V1.ListAuditResponse { NextPageToken = page.NextBefore?.ToString(CultureInfo.InvariantCulture) ?? "" };
        response.Entries.AddRange(page.Entries.Select(ToProto));
        return response;
    }

    public async Task<V1.ListDelistingRequestsResponse> ListDelistingRequests(V1.ListDelistingRequestsRequest request, Caller caller)
    {
        caller.RequireOperator();
        var limit = Limit(request.Limit, "limit", 100, 1000);
        var waiting = await grains.GetGrain<IDelistingReviews>(0).List(limit);
        var response = new V1.ListDelistingRequestsResponse();
        response.Requests.AddRange(waiting.Select(DelistingMapping.ToProto));
        return response;
    }

    /// <summary>An operator's decision on a waiting delisting request, carried out and audited by the subject's grain under the operator's name.</summary>
    public async Task<V1.DelistingRequest> ReviewDelisting(V1.ReviewDelistingRequest request, Caller caller, bool approve)
    {
        caller.RequireAdministrator();
        var id = DelistingDesk.RequestId(request.RequestId);
        var reason = Reason(request.Reason, "");
        if (reason.Length == 0)
        {
            reason = approve ? "approved by an operator" : throw new InvalidFieldException("reason", "is required to refuse: the requester reads it");
        }

        var waiting = await grains.GetGrain<IDelistingReviews>(0).Find(id)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "request_id: no request with this id is waiting for review"));
        var decided = await grains.GetGrain<IDelistingRequests>(waiting.Subject.Key).Review(id, approve, caller.Id, reason);
        return DelistingMapping.ToProto(decided);
    }

    public Task<V1.Overview> GetOverview(Caller caller)
    {
        caller.RequireOperator();
        return overview.ReadAsync();
    }

    public Task<V1.ListTopSendersResponse> ListTopSenders(V1.ListTopSendersRequest request, Caller caller)
    {
        caller.RequireOperator();
        var query = SenderQuery.Parse(request.Query, "query");
        return ranking.ReadAsync(request.Query, query, Limit(request.Limit, "limit", 50, 200));
    }

    public async Task<V1.SenderActivity> GetSenderActivity(V1.GetSenderRequest request, Caller caller)
    {
        caller.RequireOperator();
        var sender = Address.Parse(request.Sender, "sender");
        var activity = await grains.GetGrain<ISender>(sender.Value).GetActivity();
        var response = new V1.SenderActivity { Sender = sender.Value, EvidenceSamples = (uint)activity.EvidenceSamples };
        response.Timeline.AddRange(activity.Timeline.Select(h => new V1.HourlyReports { Hour = Timestamp.FromDateTimeOffset(h.Hour), Reports = (uint)h.Reports }));
        response.Evidence.AddRange(activity.Evidence.Select(e => new V1.EvidenceCount { Dimension = e.Dimension, Value = e.Value, Count = (uint)e.Count }));
        return response;
    }

    public async Task<V1.ListCasesResponse> ListCases(V1.ListCasesRequest request, Caller caller)
    {
        caller.RequireOperator();
        var status = ViolationMapping.ToDomain(request.Status);
        var limit = Limit(request.Limit, "limit", 50, 500);
        var cases = await grains.GetGrain<IEscalationOutbox>(0).ListCases(status, limit);
        var response = new V1.ListCasesResponse();
        response.Cases.AddRange(cases.Select(ViolationMapping.ToProto));
        return response;
    }

    public async Task<V1.Delivery> ResendDelivery(V1.ResendDeliveryRequest request, Caller caller)
    {
        caller.RequireAdministrator();
        var id = (request.DeliveryId ?? "").Trim();
        if (id.Length is 0 or > MaxFilterLength || id.Any(char.IsControl))
        {
            throw new InvalidFieldException("delivery_id", $"is required: the id of a dead-lettered delivery (case id/destination), at most {MaxFilterLength} characters");
        }

        var reason = Reason(request.Reason, "");
        var resent = await grains.GetGrain<IEscalationOutbox>(0).Resend(id)
            ?? throw new RpcException(new Status(StatusCode.NotFound, "delivery_id: no delivery with this id is in the outbox"));
        await AuditAsync(caller, AuditNames.DeliveryResend, AuditNames.Delivery(resent.DeliveryId), reason,
            [new("case_id", resent.CaseId), new("destination", resent.Destination), new("resends", resent.Resends.ToString(CultureInfo.InvariantCulture))]);
        return ViolationMapping.ToProto(resent);
    }

    public async Task<V1.SearchFilterListResponse> SearchFilterList(V1.SearchFilterListRequest request, Caller caller)
    {
        caller.RequireOperator();
        var kind = request.Kind == V1.FilterEntryKind.Unspecified ? (FilterEntryKind?)null : ViolationMapping.ToDomain(request.Kind, "kind");
        var query = FilterListQuery.Search(request.Query, kind, "query");
        var limit = Limit(request.Limit, "limit", 100, 1000);
        var before = PageToken(request.PageToken);
        await replica.WhenReady;
        var page = replica.Search(query, before, limit);
        var response = new V1.SearchFilterListResponse
        {
            Version = (ulong)page.Version,
            Listed = (uint)page.Listed,
            NextPageToken = page.NextBefore?.ToString(CultureInfo.InvariantCulture) ?? "",
        };
        response.Entries.AddRange(page.Entries.Select(ViolationMapping.ToProto));
        return response;
    }

    public async Task<V1.ListFilterChangesResponse> ListFilterChanges(V1.ListFilterChangesRequest request, Caller caller)
    {
        caller.RequireOperator();
        var query = FilterListQuery.Entry(request.Query, "query");
        var limit = Limit(request.Limit, "limit", 100, 1000);
        await replica.WhenReady;
        var (changes, oldest) = replica.RecentChanges(query, limit);
        var response = new V1.ListFilterChangesResponse { OldestRetainedVersion = (ulong)Math.Max(0, oldest) };
        response.Changes.AddRange(changes.Select(ViolationMapping.ToProto));
        return response;
    }

    public Task<V1.ListEntryResponse> ListEntry(V1.ListEntryRequest request, Caller caller) =>
        ChangeEntryAsync(FilterChangeOp.Add, request.Kind, request.Value, request.Reason, caller);

    public Task<V1.ListEntryResponse> UnlistEntry(V1.UnlistEntryRequest request, Caller caller) =>
        ChangeEntryAsync(FilterChangeOp.Remove, request.Kind, request.Value, request.Reason, caller);

    /// <summary>
    /// Lists many entries under one case: every entry is validated first (a bad one refuses the call, naming it), then one
    /// grain call appends them all, then one audit entry records the call.
    /// </summary>
    public async Task<V1.ImportEntriesResponse> ImportEntries(V1.ImportEntriesRequest request, Caller caller)
    {
        caller.RequireAdministrator();
        if (request.Entries.Count == 0)
        {
            throw new InvalidFieldException("entries", "is required: at least one entry");
        }

        if (request.Entries.Count > MaxImportEntries)
        {
            throw new InvalidFieldException("entries", $"holds {request.Entries.Count} entries; at most {MaxImportEntries} per call");
        }

        var caseId = $"op-{Guid.CreateVersion7():N}";
        var listings = new FilterListing[request.Entries.Count];
        for (var i = 0; i < listings.Length; i++)
        {
            var item = request.Entries[i];
            try
            {
                listings[i] = new FilterListing(ListableEntry(item.Kind, item.Value), caseId, Reason(item.Reason, DefaultListReason));
            }
            catch (InvalidFieldException error)
            {
                throw new InvalidFieldException($"entries[{i}].{error.Field}", error.Problem);
            }
        }

        var changes = await grains.GetGrain<IFilterList>(0).AppendAll(FilterChangeOp.Add, listings);
        var listed = changes.OfType<FilterChange>().ToList();
        if (listed.Count > 0)
        {
            await replica.WhenAt(listed[^1].Version, ReplicaCatchUp);
        }

        await AuditAsync(caller, AuditNames.FilterListImport, AuditNames.FilterListTarget, $"imported {listings.Length} entries",
            [
                new("entries", listings.Length.ToString(CultureInfo.InvariantCulture)),
                new("listed", listed.Count.ToString(CultureInfo.InvariantCulture)),
                new("case", listed.Count > 0 ? caseId : ""),
                new("versions", listed.Count > 0 ? $"{listed[0].Version}-{listed[^1].Version}" : ""),
            ]);
        var response = new V1.ImportEntriesResponse
        {
            Listed = (uint)listed.Count,
            Unchanged = (uint)(listings.Length - listed.Count),
            CaseId = listed.Count > 0 ? caseId : "",
            Version = (ulong)(listed.Count > 0 ? listed[^1].Version : 0),
        };
        response.Entries.AddRange(listings.Zip(changes, (listing, change) => new V1.ListEntryResponse
        {
            Changed = change is not null,
            Version = (ulong)(change?.Version ?? 0),
            CaseId = change?.CaseId ?? "",
            Value = listing.Entry.Value,
        }));
        return response;
    }

    private async Task<V1.ListEntryResponse> ChangeEntryAsync(FilterChangeOp op, V1.FilterEntryKind kind, string value, string reasonText, Caller caller)
    {
        caller.RequireAdministrator();
        var entry = op == FilterChangeOp.Add ? ListableEntry(kind, value) : OperatorEntry(kind, value);

        var reason = Reason(reasonText, op == FilterChangeOp.Add ? DefaultListReason : DefaultDelistReason);
        var caseId = op == FilterChangeOp.Add ? $"op-{Guid.CreateVersion7():N}" : "";
        var change = await grains.GetGrain<IFilterList>(0).Append(op, entry, reason, caseId);
        if (change is not null)
        {
            // Read-your-writes on this gateway: its DNS blocklist, policy listener and verdicts answer from the change
            // once the operator has the answer.
            await replica.WhenAt(change.Version, ReplicaCatchUp);
        }

        await AuditAsync(caller, op == FilterChangeOp.Add ? AuditNames.FilterListAdd : AuditNames.FilterListRemove, AuditNames.Entry(entry), reason,
            [new("changed", change is null ? "false (nothing to change)" : "true"), new("version", change?.Version.ToString(CultureInfo.InvariantCulture) ?? "")]);
        return new V1.ListEntryResponse
        {
            Changed = change is not null,
            Version = (ulong)(change?.Version ?? 0),
            CaseId = change?.CaseId ?? "",
            Value = entry.Value,
        };
    }

    // Addresses belong to their sender's grain (escalation lists them, Delist removes them), so that its state and
    // the list agree.
    private static FilterEntry OperatorEntry(V1.FilterEntryKind kind, string value)
    {
        var entryKind = ViolationMapping.ToDomain(kind, "kind");
        return entryKind == FilterEntryKind.AddressSha256
            ? throw new InvalidFieldException("kind", "addresses are listed by escalation and removed with Delist; use FILTER_ENTRY_KIND_DOMAIN or FILTER_ENTRY_KIND_IP")
            : FilterEntry.Parse(entryKind, value, "value");
    }

    private static FilterEntry ListableEntry(V1.FilterEntryKind kind, string value)
    {
        var entry = OperatorEntry(kind, value);
        RefuseTooBroad(entry);
        return entry;
    }

    // An entry by hand that covers a whole top-level domain or a large part of the address space is a slip far more
    // often than a decision, and one call would refuse most of the mail: refused. Removing one stays possible.
    private static void RefuseTooBroad(FilterEntry entry)
    {
        if (entry.Kind == FilterEntryKind.Domain && !entry.Value.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidFieldException("value", "is a top-level domain: it would list every sender under it; list a domain below it");
        }

        if (entry.Kind == FilterEntryKind.Ip && IpPrefix.TryParse(entry.Value, out var prefix, out _) && prefix.Length < MinimumPrefixLength(prefix))
        {
            throw new InvalidFieldException("value", $"{prefix} is broader than a /{MinimumPrefixLength(prefix)}: it would refuse a large part of the internet");
        }
    }

    private static int MinimumPrefixLength(IpPrefix prefix) => prefix.MaxLength == 32 ? MinimumIPv4Prefix : MinimumIPv6Prefix;

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

    private static int Limit(uint requested, string field, int defaultLimit, int max) =>
        requested > max ? throw new InvalidFieldException(field, $"must be at most {max}") : requested == 0 ? defaultLimit : (int)requested;

    private static long? PageToken(string token) =>
        token.Length == 0
            ? null
            : long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before > 0
                ? before
                : throw new InvalidFieldException("page_token", "is not a next_page_token of this API");

    private static string Reason(string text, string fallback)
    {
        if (!ReplyText.TryValidate(text, out var problem))
        {
            throw new InvalidFieldException("reason", problem);
        }

        return ReplyText.Sanitize(text) is { Length: > 0 } reason ? reason : fallback;
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
}
