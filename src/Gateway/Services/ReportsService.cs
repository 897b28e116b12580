using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>Providers report violations on their users' behalf, straight to the sender's grain.</summary>
public sealed class ReportsService(
    GrainReferences<ISender> senders,
    IOptionsMonitor<DoNotSendOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock) : V1.Reports.ReportsBase
{
    [RateLimitedWrite]
    public override async Task<V1.SubmitViolationResponse> SubmitViolation(V1.SubmitViolationRequest request, ServerCallContext context)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var caller = context.RequireOwner(recipient);
        var report = ViolationMapping.ToDomain(request, recipient, caller.Id, options.CurrentValue.GracePeriodFor(caller.Id), clock.GetUtcNow());
        var outcome = await senders.Get(report.Sender.Value).Report(report);
        return new V1.SubmitViolationResponse
        {
            Duplicate = outcome.Duplicate,
            SenderState = ViolationMapping.ToProto(outcome.State),
            Authentication = AuthenticationMapping.ToProto(report.Authentication),
        };
    }
}
