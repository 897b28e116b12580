using Clearinghouse.Contracts;
using Clearinghouse.Gateway.Services;
using Clearinghouse.Gateway.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.Gateway;

public static class GatewayRegistration
{
    /// <summary>Registers the gRPC services, their authentication, health checks and reflection.</summary>
    public static IHealthChecksBuilder AddClearinghouseGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<GatewayOptions>(configuration.GetSection(GatewayOptions.Section));
        services.Configure<TenancyOptions>(configuration.GetSection("Clearinghouse"));
        services.AddSingleton<CallerDirectory>();
        services.AddSingleton<WriteRateLimiter>();
        services.AddRecipientKeys(configuration[RecipientKeyRegistration.SecretSetting]);
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallerInterceptor>();
            grpc.EnableDetailedErrors = false;
        });
        services.AddGrpcReflection();
        return services.AddGrpcHealthChecks();
    }

    public static IEndpointRouteBuilder MapClearinghouseGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VerdictService>();
        endpoints.MapGrpcService<RecordsService>();
        endpoints.MapGrpcService<DiagnosticsService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }
}
