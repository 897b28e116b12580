using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>A provider sets its recipients' list sizes and reads their secondary lists.</summary>
public sealed class RecipientListsService(RecipientGrains recipients) : V1.RecipientLists.RecipientListsBase
{
    [RateLimitedWrite]
    public override async Task<V1.ListInfo> SetListLimit(V1.SetListLimitRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        if (request.MaxRecords > ListLimits.MaxRecords)
        {
            throw new InvalidFieldException("max_records", $"must be between 1 and {ListLimits.MaxRecords}, or 0 for the provider's default");
        }

        int? max = request.MaxRecords == 0 ? null : (int)request.MaxRecords;
        var info = await recipients.Get(recipient).SetListLimit(max, context.Caller().ListPolicy);
        return ProtoMapping.ToProto(info);
    }

    public override async Task<V1.ListInfo> GetListInfo(V1.GetListInfoRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        return ProtoMapping.ToProto(await recipients.Get(recipient).GetListInfo(context.Caller().ListPolicy));
    }

    public override async Task<V1.ListSecondaryResponse> ListSecondary(V1.ListSecondaryRequest request, ServerCallContext context)
    {
        var recipient = context.RequireOwnedRecipient(request.Recipient);
        var response = new V1.ListSecondaryResponse();
        response.Records.AddRange((await recipients.Get(recipient).ListSecondary()).Select(ProtoMapping.ToProto));
        return response;
    }
}
