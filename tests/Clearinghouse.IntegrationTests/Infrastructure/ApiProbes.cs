using Clearinghouse.Api.V1;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>Who may call a method.</summary>
public enum ApiScope
{
    /// <summary>A provider that owns the recipient's domain.</summary>
    RecipientOwner,

    /// <summary>An operator.</summary>
    Operator,

    /// <summary>Any authenticated caller (nothing tenant-specific is read or changed).</summary>
    AnyCaller,

    /// <summary>
    /// A provider acting on its own provider-wide data (its maps, its sender list): another provider's key is answered
    /// from, or applied to, that provider's own data, so nothing of the first provider's changes.
    /// </summary>
    OwnProviderData,
}

/// <summary>
/// The recipient a probe aims at: it belongs to provider acme and has one record with hits and a do-not-send request;
/// acme's maps hold <see cref="ConnectionPrefix"/> and its sender list <see cref="SenderListPattern"/>.
/// </summary>
public sealed record ProbeTarget(string Recipient, string RecordId)
{
    public const string DoNotSendSender = "unsubscribed@bulk.example";
    public const string ConnectionPrefix = "198.51.100.0/24";
    public const string ConnectionPrefixAddress = "198.51.100.7";
    public const string SenderListPattern = "*.provider-listed.example";
    public const string DelistingRequestId = "dl-0000000000000000000000000000abcd";
}

/// <summary>One gRPC method called as a caller would, with a request that would change or reveal the target's state.</summary>
public sealed record ApiProbe(string Method, ApiScope Scope, Func<CallInvoker, ProbeTarget, Task> Call)
{
    public override string ToString() => Method;
}

/// <summary>
/// Every method of every Clearinghouse service, as a probe. A new method needs a probe here:
/// <see cref="TenantIsolationTests.Every_method_of_every_service_has_a_probe"/> fails until it has one. Each probe then
/// runs in the credential and tenant isolation tests and in <see cref="RedactionTests"/> (no recipient in logs).
/// </summary>
public static class ApiProbes
{
    public static IReadOnlyList<ApiProbe> All { get; } =
    [
        new("clearinghouse.v1.Verdicts/CheckRecipient", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(new CheckRecipientRequest { Recipient = target.Recipient, Sender = "spam@bulk.example" })),
        new("clearinghouse.v1.Verdicts/CheckStream", ApiScope.RecipientOwner, CheckOnStreamAsync),
        new("clearinghouse.v1.Records/AddRecord", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest { Recipient = target.Recipient, Pattern = "friend@bulk.example", Action = RecordAction.Allow })),
        new("clearinghouse.v1.Records/ImportRecords", ApiScope.RecipientOwner, async (invoker, target) =>
        {
            // Results are per item: an item refused (another provider's recipient) is reported as the call's error.
            var answer = await new Records.RecordsClient(invoker).ImportRecordsAsync(new ImportRecordsRequest { Records = { new AddRecordRequest { Recipient = target.Recipient, Pattern = "imported@bulk.example", Action = RecordAction.Reject } } });
            if (answer.Results[0].Code != (int)StatusCode.OK)
            {
                throw new RpcException(new Status((StatusCode)answer.Results[0].Code, answer.Results[0].Error));
            }
        }),
        new("clearinghouse.v1.Records/RemoveRecord", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Records.RecordsClient(invoker).RemoveRecordAsync(new RemoveRecordRequest { Recipient = target.Recipient, RecordId = target.RecordId })),
        new("clearinghouse.v1.Records/ListRecords", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Records.RecordsClient(invoker).ListRecordsAsync(new ListRecordsRequest { Recipient = target.Recipient })),
        new("clearinghouse.v1.Diagnostics/Ping", ApiScope.AnyCaller, async (invoker, _) =>
            await new Diagnostics.DiagnosticsClient(invoker).PingAsync(new PingRequest())),

        new("clearinghouse.v1.DoNotSend/RecordRequest", ApiScope.RecipientOwner, async (invoker, target) =>
            await new DoNotSend.DoNotSendClient(invoker).RecordRequestAsync(new RecordDoNotSendRequest
            {
                Recipient = target.Recipient,
                Sender = "dnd@bulk.example",
                Method = DoNotSendMethod.Reply,
                RequestedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                FirstMessage = Evidence("<first@bulk.example>", DateTimeOffset.UtcNow.AddHours(-1)),
            })),
        new("clearinghouse.v1.DoNotSend/WithdrawRequest", ApiScope.RecipientOwner, async (invoker, target) =>
            await new DoNotSend.DoNotSendClient(invoker).WithdrawRequestAsync(new WithdrawDoNotSendRequest { Recipient = target.Recipient, Sender = ProbeTarget.DoNotSendSender })),
        new("clearinghouse.v1.DoNotSend/ListRequests", ApiScope.RecipientOwner, async (invoker, target) =>
            await new DoNotSend.DoNotSendClient(invoker).ListRequestsAsync(new ListDoNotSendRequest { Recipient = target.Recipient })),
        new("clearinghouse.v1.Reports/SubmitViolation", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Reports.ReportsClient(invoker).SubmitViolationAsync(ViolationReport(target, "violator@bulk.example"))),
        new("clearinghouse.v1.Reports/SubmitViolations", ApiScope.RecipientOwner, async (invoker, target) =>
        {
            // Results are per item: an item refused (another provider's recipient) is reported as the call's error.
            var answer = await new Reports.ReportsClient(invoker).SubmitViolationsAsync(new SubmitViolationsRequest { Reports = { ViolationReport(target, "batch-violator@bulk.example") } });
            if (answer.Results[0].Code != (int)StatusCode.OK)
            {
                throw new RpcException(new Status((StatusCode)answer.Results[0].Code, answer.Results[0].Error));
            }
        }),
        new("clearinghouse.v1.FilterList/Subscribe", ApiScope.AnyCaller, SubscribeBrieflyAsync),
        new("clearinghouse.v1.FilterList/GetSnapshot", ApiScope.AnyCaller, async (invoker, _) =>
            await new FilterList.FilterListClient(invoker).GetSnapshotAsync(new GetFilterListSnapshotRequest())),
        new("clearinghouse.v1.Operator/GetThresholds", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).GetThresholdsAsync(new GetThresholdsRequest())),
        new("clearinghouse.v1.Operator/SetThresholds", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).SetThresholdsAsync(new Thresholds { Mode = ThresholdMode.Absolute, AbsoluteThreshold = 5, RankDivisor = 100, MinimumProviders = 2 })),
        new("clearinghouse.v1.Operator/GetSender", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).GetSenderAsync(new GetSenderRequest { Sender = "spam@bulk.example" })),
        new("clearinghouse.v1.Operator/Delist", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).DelistAsync(new DelistRequest { Sender = "spam@bulk.example", Reason = "probe" })),
        new("clearinghouse.v1.Operator/ListDeliveries", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListDeliveriesAsync(new ListDeliveriesRequest())),
        new("clearinghouse.v1.Operator/ListAudit", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListAuditAsync(new ListAuditRequest { Action = "sender", PageSize = 10 })),
        new("clearinghouse.v1.Operator/ListDelistingRequests", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListDelistingRequestsAsync(new ListDelistingRequestsRequest())),
        new("clearinghouse.v1.Operator/ApproveDelisting", ApiScope.Operator, async (invoker, _) =>
            await NotFoundIsAnAnswer(new Operator.OperatorClient(invoker).ApproveDelistingAsync(new ReviewDelistingRequest { RequestId = ProbeTarget.DelistingRequestId }).ResponseAsync)),
        new("clearinghouse.v1.Operator/RefuseDelisting", ApiScope.Operator, async (invoker, _) =>
            await NotFoundIsAnAnswer(new Operator.OperatorClient(invoker).RefuseDelistingAsync(new ReviewDelistingRequest { RequestId = ProbeTarget.DelistingRequestId, Reason = "probe" }).ResponseAsync)),
        new("clearinghouse.v1.Operator/GetOverview", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).GetOverviewAsync(new GetOverviewRequest())),
        new("clearinghouse.v1.Operator/ListTopSenders", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListTopSendersAsync(new ListTopSendersRequest { Query = "bulk.example", Limit = 10 })),
        new("clearinghouse.v1.Operator/GetSenderActivity", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).GetSenderActivityAsync(new GetSenderRequest { Sender = "spam@bulk.example" })),
        new("clearinghouse.v1.Operator/ListCases", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListCasesAsync(new ListCasesRequest { Limit = 10 })),
        new("clearinghouse.v1.Operator/ResendDelivery", ApiScope.Operator, async (invoker, _) =>
            await NotFoundIsAnAnswer(new Operator.OperatorClient(invoker).ResendDeliveryAsync(new ResendDeliveryRequest { DeliveryId = "case-probe/nowhere", Reason = "probe" }).ResponseAsync)),
        new("clearinghouse.v1.Operator/SearchFilterList", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).SearchFilterListAsync(new SearchFilterListRequest { Query = "probe-listed.example", Limit = 10 })),
        new("clearinghouse.v1.Operator/ListFilterChanges", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListFilterChangesAsync(new ListFilterChangesRequest { Limit = 10 })),
        new("clearinghouse.v1.Operator/ListEntry", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "probe-listed.example", Reason = "probe" })),
        new("clearinghouse.v1.Operator/ImportEntries", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).ImportEntriesAsync(new ImportEntriesRequest { Entries = { new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "probe-listed.example", Reason = "probe" } } })),
        new("clearinghouse.v1.Operator/UnlistEntry", ApiScope.Operator, async (invoker, _) =>
            await new Operator.OperatorClient(invoker).UnlistEntryAsync(new UnlistEntryRequest { Kind = FilterEntryKind.Domain, Value = "probe-listed.example", Reason = "probe" })),

        new("clearinghouse.v1.Connections/CheckConnection", ApiScope.OwnProviderData, async (invoker, _) =>
            await new Connections.ConnectionsClient(invoker).CheckConnectionAsync(new CheckConnectionRequest { ClientIp = ProbeTarget.ConnectionPrefixAddress, Helo = "mail.bulk.example" })),
        new("clearinghouse.v1.ProviderMaps/PutMapEntries", ApiScope.RecipientOwner, async (invoker, target) =>
            await new ProviderMaps.ProviderMapsClient(invoker).PutMapEntriesAsync(new PutMapEntriesRequest
            {
                Map = MapKind.Recipient,
                Entries = { new MapEntry { Identifier = target.Recipient, Action = MapAction.Reject, Message = "no such user" } },
            })),
        new("clearinghouse.v1.ProviderMaps/RemoveMapEntries", ApiScope.OwnProviderData, async (invoker, target) =>
            await new ProviderMaps.ProviderMapsClient(invoker).RemoveMapEntriesAsync(new RemoveMapEntriesRequest { Map = MapKind.Connection, Identifiers = { ProbeTarget.ConnectionPrefix } })),
        new("clearinghouse.v1.ProviderMaps/ListMapEntries", ApiScope.OwnProviderData, async (invoker, _) =>
            await new ProviderMaps.ProviderMapsClient(invoker).ListMapEntriesAsync(new ListMapEntriesRequest { Map = MapKind.Connection })),
        new("clearinghouse.v1.ProviderMaps/PutSenderListEntries", ApiScope.OwnProviderData, async (invoker, _) =>
            await new ProviderMaps.ProviderMapsClient(invoker).PutSenderListEntriesAsync(new PutSenderListEntriesRequest
            {
                Entries = { new SenderListEntry { Pattern = ProbeTarget.SenderListPattern, Action = RecordAction.Defer, Message = "probe" } },
            })),
        new("clearinghouse.v1.ProviderMaps/RemoveSenderListEntries", ApiScope.OwnProviderData, async (invoker, _) =>
            await new ProviderMaps.ProviderMapsClient(invoker).RemoveSenderListEntriesAsync(new RemoveSenderListEntriesRequest { Keys = { new SenderListKey { Pattern = ProbeTarget.SenderListPattern } } })),
        new("clearinghouse.v1.ProviderMaps/ListSenderList", ApiScope.OwnProviderData, async (invoker, _) =>
            await new ProviderMaps.ProviderMapsClient(invoker).ListSenderListAsync(new ListSenderListRequest())),
        new("clearinghouse.v1.RecipientLists/SetListLimit", ApiScope.RecipientOwner, async (invoker, target) =>
            await new RecipientLists.RecipientListsClient(invoker).SetListLimitAsync(new SetListLimitRequest { Recipient = target.Recipient, MaxRecords = 1 })),
        new("clearinghouse.v1.RecipientLists/GetListInfo", ApiScope.RecipientOwner, async (invoker, target) =>
            await new RecipientLists.RecipientListsClient(invoker).GetListInfoAsync(new GetListInfoRequest { Recipient = target.Recipient })),
        new("clearinghouse.v1.RecipientLists/ListSecondary", ApiScope.RecipientOwner, async (invoker, target) =>
            await new RecipientLists.RecipientListsClient(invoker).ListSecondaryAsync(new ListSecondaryRequest { Recipient = target.Recipient })),
    ];

    // A review of a request that is not waiting is answered NotFound once the caller is authenticated, authorised and
    // its input valid: for these probes, that is the method answering.
    private static async Task NotFoundIsAnAnswer<T>(Task<T> call)
    {
        try
        {
            await call;
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.NotFound)
        {
        }
    }

    private static SubmitViolationRequest ViolationReport(ProbeTarget target, string sender) => new()
    {
        ReportId = Guid.NewGuid().ToString("N"),
        Recipient = target.Recipient,
        Sender = sender,
        FirstMessage = Evidence("<one@bulk.example>", DateTimeOffset.UtcNow.AddDays(-5)),
        RequestMethod = DoNotSendMethod.WebForm,
        RequestedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-4)),
        SecondMessage = Evidence("<two@bulk.example>", DateTimeOffset.UtcNow.AddHours(-1)),
    };

    private static MessageEvidence Evidence(string messageId, DateTimeOffset date) => new()
    {
        MessageId = messageId,
        Date = Timestamp.FromDateTimeOffset(date),
        HeaderDigest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId))),
    };

    // The feed goes on until the caller leaves: a credential problem shows on the first read; otherwise leave after a moment.
    private static async Task SubscribeBrieflyAsync(CallInvoker invoker, ProbeTarget target)
    {
        using var call = new FilterList.FilterListClient(invoker).Subscribe(new SubscribeFilterListRequest(), deadline: DateTime.UtcNow.AddMilliseconds(500));
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.DeadlineExceeded)
        {
        }
    }

    /// <summary>Every method the Clearinghouse protos declare ("package.Service/Method").</summary>
    public static IReadOnlyList<string> DeclaredMethods() =>
        typeof(Verdicts).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Verdicts).Namespace && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods.Select(method => $"{service.FullName}/{method.Name}"))
            .Order()
            .ToList();

    // A stream answers a refused check with an error item; it is turned into the exception a unary call would throw.
    private static async Task CheckOnStreamAsync(CallInvoker invoker, ProbeTarget target)
    {
        using var call = new Verdicts.VerdictsClient(invoker).CheckStream();
        await call.RequestStream.WriteAsync(new StreamCheckRequest { Id = 1, Check = new CheckRecipientRequest { Recipient = target.Recipient, Sender = "spam@bulk.example" } });
        await call.RequestStream.CompleteAsync();
        await foreach (var answer in call.ResponseStream.ReadAllAsync())
        {
            if (answer.ResultCase == StreamCheckResponse.ResultOneofCase.Error)
            {
                throw new RpcException(new Status((StatusCode)answer.Error.Code, answer.Error.Message));
            }
        }
    }
}
