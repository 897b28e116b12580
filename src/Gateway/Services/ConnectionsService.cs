using System.Diagnostics;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Maps;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>CONNECT-time verdicts from the calling provider's connection map, answered from the gateway's memory.</summary>
public sealed class ConnectionsService(ProviderMapsReplica replica) : V1.Connections.ConnectionsBase
{
    public const string DefaultRejectText = "Connection refused by policy";

    public override async Task<V1.ConnectionVerdict> CheckConnection(V1.CheckConnectionRequest request, ServerCallContext context)
    {
        var clientIp = ProtoMapping.ToClientIp(request.ClientIp, required: true)!;
        var helo = ProtoMapping.ToHelo(request.Helo);
        var caller = context.RequireProvider();
        var maps = await replica.GetAsync(caller.Id);
        var match = maps.Connections.Match(clientIp, helo);
        var reject = match.Entry?.Action == MapAction.Reject;
        ClearinghouseTelemetry.ConnectionVerdicts.Add(1, new TagList
        {
            { "action", reject ? "reject" : "accept" },
            { "matched", match.Kind switch { ConnectionMatchKind.Ip => "ip", ConnectionMatchKind.Helo => "helo", _ => "none" } },
        });

        if (match.Entry is not { } entry)
        {
            return new V1.ConnectionVerdict { Action = V1.ConnectionAction.Accept, SmtpCode = 250, EnhancedCode = "2.0.0", Text = "OK", Reason = "no connection map entry matches" };
        }

        var matchedBy = match.Kind == ConnectionMatchKind.Ip ? "client IP" : "HELO name";
        return reject
            ? new V1.ConnectionVerdict
            {
                Action = V1.ConnectionAction.Reject,
                SmtpCode = 554,
                EnhancedCode = "5.7.1",
                Text = entry.Message.Length > 0 ? entry.Message : DefaultRejectText,
                MatchedIdentifier = entry.Identifier,
                Reason = $"connection map rejects {entry.Identifier} ({matchedBy})",
            }
            : new V1.ConnectionVerdict
            {
                Action = V1.ConnectionAction.Accept,
                SmtpCode = 250,
                EnhancedCode = "2.0.0",
                Text = "OK",
                MatchedIdentifier = entry.Identifier,
                Reason = $"connection map accepts {entry.Identifier} ({matchedBy})",
            };
    }
}
