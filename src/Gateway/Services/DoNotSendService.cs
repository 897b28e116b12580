using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Providers record their users' do-not-send requests. Validated in full before the recipient's grain is called.</summary>
public sealed class DoNotSendService(
    RecipientGrains recipients,
    IOptionsMonitor<DoNotSendOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock) : V1.DoNotSend.DoNotSendBase
{
    [RateLimitedWrite]
    public override async Task<V1.DoNotSendEntry> RecordRequest(V1.RecordDoNotSendRequest request, ServerCallContext context)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var caller = context.RequireOwner(recipient);
        var validated = ViolationMapping.ToDomain(request, caller.Id, options.CurrentValue.GracePeriodFor(caller.Id), clock.GetUtcNow());
        var view = await recipients.Get(recipient).RecordDoNotSend(validated);
        return ViolationMapping.ToProto(view);
    }

    [RateLimitedWrite]
    public override async Task<V1.WithdrawDoNotSendResponse> WithdrawRequest(V1.WithdrawDoNotSendRequest request, ServerCallContext context)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        context.RequireOwner(recipient);
        var sender = Address.Parse(request.Sender, "sender");
        var channel = ProtoMapping.ToDomain(request.Channel);
        var withdrawn = await recipients.Get(recipient).WithdrawDoNotSend(sender, channel);
        return new V1.WithdrawDoNotSendResponse { Withdrawn = withdrawn };
    }

    public override async Task<V1.ListDoNotSendResponse> ListRequests(V1.ListDoNotSendRequest request, ServerCallContext context)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        context.RequireOwner(recipient);
        var views = await recipients.Get(recipient).ListDoNotSend();
        var response = new V1.ListDoNotSendResponse();
        response.Requests.AddRange(views.Select(ViolationMapping.ToProto));
        return response;
    }
}
