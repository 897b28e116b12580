using Clearinghouse.Api.V1;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests.Security;

/// <summary>Who may call a method.</summary>
public enum ApiScope
{
    /// <summary>A provider that owns the recipient's domain.</summary>
    RecipientOwner,

    /// <summary>An operator.</summary>
    Operator,

    /// <summary>Any authenticated caller (nothing tenant-specific is read or changed).</summary>
    AnyCaller,
}

/// <summary>The recipient a probe aims at: it belongs to provider acme and has one record with hits.</summary>
public sealed record ProbeTarget(string Recipient, string RecordId);

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
        new("clearinghouse.v1.Records/RemoveRecord", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Records.RecordsClient(invoker).RemoveRecordAsync(new RemoveRecordRequest { Recipient = target.Recipient, RecordId = target.RecordId })),
        new("clearinghouse.v1.Records/ListRecords", ApiScope.RecipientOwner, async (invoker, target) =>
            await new Records.RecordsClient(invoker).ListRecordsAsync(new ListRecordsRequest { Recipient = target.Recipient })),
        new("clearinghouse.v1.Diagnostics/Ping", ApiScope.AnyCaller, async (invoker, _) =>
            await new Diagnostics.DiagnosticsClient(invoker).PingAsync(new PingRequest())),
    ];

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
