using Clearinghouse.Gateway.Security;
using Grpc.Core;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

public sealed class DiagnosticsService : V1.Diagnostics.DiagnosticsBase
{
    public override Task<V1.PingResponse> Ping(V1.PingRequest request, ServerCallContext context) =>
        Task.FromResult(new V1.PingResponse { Provider = context.Caller().Id });
}
