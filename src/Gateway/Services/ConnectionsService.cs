using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Verdicts;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>CONNECT-time verdicts over gRPC, answered by the <see cref="VerdictPipeline"/> from the gateway's memory (provider map, then filter list).</summary>
public sealed class ConnectionsService(VerdictPipeline pipeline) : V1.Connections.ConnectionsBase
{
    public override async Task<V1.ConnectionVerdict> CheckConnection(V1.CheckConnectionRequest request, ServerCallContext context)
    {
        var clientIp = ProtoMapping.ToClientIp(request.ClientIp, required: true)!;
        var helo = ProtoMapping.ToHelo(request.Helo);
        var caller = context.RequireProvider();
        var verdict = await pipeline.CheckConnectionAsync(caller, clientIp, helo);
        return new V1.ConnectionVerdict
        {
            Action = verdict.Reject ? V1.ConnectionAction.Reject : V1.ConnectionAction.Accept,
            SmtpCode = (uint)verdict.SmtpCode,
            EnhancedCode = verdict.EnhancedCode,
            Text = verdict.Text,
            MatchedIdentifier = verdict.MatchedIdentifier ?? "",
            Reason = verdict.Reason,
            ListedCaseId = verdict.ListedCaseId ?? "",
        };
    }
}
