using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Providers manage their users' records. Every request is validated in full before any grain is called.</summary>
public sealed class RecordsService(RecipientGrains recipients) : V1.Records.RecordsBase
{
    private const int MaxRecordIdLength = 64;

    [RateLimitedWrite]
    public override async Task<V1.AddRecordResponse> AddRecord(V1.AddRecordRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        var record = ProtoMapping.ToDomain(request);
        var result = await recipients.Get(recipient).AddRecord(record, context.Caller().ListPolicy);
        var response = new V1.AddRecordResponse { Record = ProtoMapping.ToProto(result.Record), Replaced = result.Replaced };
        response.Evicted.AddRange((result.Evictions ?? []).Select(ProtoMapping.ToProto));
        return response;
    }

    [RateLimitedWrite]
    public override async Task<V1.RemoveRecordResponse> RemoveRecord(V1.RemoveRecordRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        var recordId = request.RecordId.Trim();
        if (recordId.Length == 0)
        {
            throw new InvalidFieldException("record_id", "is required");
        }

        if (recordId.Length > MaxRecordIdLength)
        {
            throw new InvalidFieldException("record_id", $"is longer than {MaxRecordIdLength} characters");
        }

        var removed = await recipients.Get(recipient).RemoveRecord(recordId);
        return new V1.RemoveRecordResponse { Removed = removed };
    }

    public override async Task<V1.ListRecordsResponse> ListRecords(V1.ListRecordsRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        var views = await recipients.Get(recipient).ListRecords();
        var response = new V1.ListRecordsResponse();
        response.Records.AddRange(views.Select(ProtoMapping.ToProto));
        return response;
    }
}
