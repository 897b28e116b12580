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

    /// <summary>The most items one <see cref="ImportRecords"/> call adds.</summary>
    public const int MaxImportRecords = 1000;

    /// <summary>How many recipients' grains one <see cref="ImportRecords"/> call writes to at a time.</summary>
    public const int ImportConcurrency = 16;

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

    /// <summary>
    /// Adds many records: each item is validated and scoped to the provider alone (a bad item fails alone), then each
    /// recipient's records go to its grain in one call, a bounded number of recipients at a time.
    /// </summary>
    [RateLimitedWrite]
    public override async Task<V1.ImportRecordsResponse> ImportRecords(V1.ImportRecordsRequest request, ServerCallContext context)
    {
        var caller = context.RequireProvider();
        if (request.Records.Count == 0)
        {
            throw new InvalidFieldException("records", "is required: at least one record");
        }

        if (request.Records.Count > MaxImportRecords)
        {
            throw new InvalidFieldException("records", $"holds {request.Records.Count} items; at most {MaxImportRecords} per call");
        }

        var results = new V1.ImportRecordResult[request.Records.Count];
        var byRecipient = new Dictionary<Address, List<(int Index, NewRecord Record)>>();
        for (var i = 0; i < results.Length; i++)
        {
            try
            {
                var item = request.Records[i];
                var recipient = context.RequireOwnedRecipient(item.Recipient, $"records[{i}].recipient");
                var record = ItemRecord(item, $"records[{i}]");
                if (!byRecipient.TryGetValue(recipient, out var items))
                {
                    byRecipient[recipient] = items = [];
                }

                items.Add((i, record));
            }
            catch (Exception error)
            {
                results[i] = Failed(error);
            }
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = ImportConcurrency, CancellationToken = context.CancellationToken };
        await Parallel.ForEachAsync(byRecipient, options, async (recipient, _) =>
        {
            try
            {
                var added = await recipients.Get(recipient.Key).ImportRecords([.. recipient.Value.Select(i => i.Record)], caller.ListPolicy);
                for (var i = 0; i < added.Length; i++)
                {
                    var result = new V1.ImportRecordResult { Record = ProtoMapping.ToProto(added[i].Record), Replaced = added[i].Replaced };
                    result.Evicted.AddRange((added[i].Evictions ?? []).Select(ProtoMapping.ToProto));
                    results[recipient.Value[i].Index] = result;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                foreach (var (index, _) in recipient.Value)
                {
                    results[index] = Failed(error);
                }
            }
        });

        var response = new V1.ImportRecordsResponse
        {
            Added = (uint)results.Count(r => r.Code == 0 && !r.Replaced),
            Replaced = (uint)results.Count(r => r.Code == 0 && r.Replaced),
            Failed = (uint)results.Count(r => r.Code != 0),
        };
        response.Results.AddRange(results);
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

    private static NewRecord ItemRecord(V1.AddRecordRequest item, string prefix)
    {
        try
        {
            return ProtoMapping.ToDomain(item);
        }
        catch (InvalidFieldException error)
        {
            throw error.Within(prefix);
        }
    }

    private static V1.ImportRecordResult Failed(Exception error)
    {
        var status = CallerInterceptor.ToStatus(error);
        return new V1.ImportRecordResult { Code = (int)status.StatusCode, Error = status.Detail };
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
