using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Console;
using Clearinghouse.Gateway.Dnsbl;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Grains;
using Clearinghouse.Gateway.Maps;
using Clearinghouse.Gateway.Public;
using Clearinghouse.Gateway.Policy;
using Clearinghouse.Gateway.Services;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Verdicts;
using Clearinghouse.Gateway.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Clearinghouse.Gateway;

public static class GatewayRegistration
{
    /// <summary>Registers the gRPC services, their authentication, health checks and reflection.</summary>
    public static IHealthChecksBuilder AddClearinghouseGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<GatewayOptions>(configuration.GetSection(GatewayOptions.Section));
        services.Configure<TenancyOptions>(configuration.GetSection("Clearinghouse"));
        // Named operators are children of a section the binder cannot map (see OperatorOptions); read again on every reload.
        services.PostConfigure<TenancyOptions>(tenancy => OperatorOptions.Read(tenancy.Operators, configuration.GetSection("Clearinghouse:Operators")));
        services.Configure<DoNotSendOptions>(configuration.GetSection(DoNotSendOptions.Section));
        services.AddSingleton<CallerDirectory>();
        services.AddSingleton<GatewayStopping>();
        services.AddHostedService<StreamsEndBeforeServerStops>();
        services.AddSingleton(typeof(GrainReferences<>));
        services.AddSingleton<IOutgoingGrainCallFilter, GrainCallDeadline>();
        services.AddSingleton<FilterListReplica>();
        services.AddSingleton<IFilterListFeed>(provider => provider.GetRequiredService<FilterListReplica>());
        services.AddHostedService(provider => provider.GetRequiredService<FilterListReplica>());

        // Sender verification at MAIL time: SPF, then forward-confirmed reverse DNS, cached per (IP, domain).
        services.AddOptions<DnsOptions>().Bind(configuration.GetSection(DnsOptions.Section))
            .Validate(dns => dns.Servers.All(server => IPAddress.TryParse(server.Trim(), out _)), $"{DnsOptions.Section}:Servers: every resolver must be an IP address")
            .ValidateOnStart();
        services.AddSingleton<IDnsLookup, ArSoftDnsLookup>();
        services.AddSingleton<ITxtRecords, DnsTxtRecords>();
        services.AddSingleton<SpfEvaluator>();
        services.AddSingleton<SenderVerifier>();

        // Providers' maps, answered from this gateway's memory and refreshed from the grains.
        services.Configure<MapsOptions>(configuration.GetSection(MapsOptions.Section));
        services.AddSingleton<ProviderMapsReplica>();
        services.AddHostedService<ProviderMapsRefresher>();

        // The verdict path every edge protocol shares.
        services.AddSingleton<VerdictPipeline>();

        // Postmasters' own protocols: the Postfix policy delegation listeners and the DNS blocklist (both off unless configured).
        services.Configure<PolicyOptions>(configuration.GetSection(PolicyOptions.Section));
        services.AddSingleton<BounceNotices>();
        services.AddHostedService(provider => provider.GetRequiredService<BounceNotices>());
        services.AddSingleton<PolicyResponder>();
        services.AddSingleton<PolicyListener>();
        services.AddHostedService(provider => provider.GetRequiredService<PolicyListener>());
        services.Configure<DnsblOptions>(configuration.GetSection(DnsblOptions.Section));
        services.AddSingleton<DnsblServer>();
        services.AddHostedService(provider => provider.GetRequiredService<DnsblServer>());

        // Per gateway process unless the composition root registered a cluster-wide limiter (Redis) before.
        services.AddSingleton<WriteRateLimiter>();
        services.TryAddSingleton<IWriteLimiter>(provider => provider.GetRequiredService<WriteRateLimiter>());

        // The operator API's actions, shared by the gRPC service and the operators' console.
        services.AddSingleton<SenderRanking>();
        services.AddSingleton<OverviewSampler>();
        services.AddSingleton<OperatorActions>();
        services.AddSingleton<ConsoleAudit>();
        services.AddOperatorsConsole(configuration);

        // The public site: listing lookup and delisting requests, on a port of its own when configured.
        services.Configure<PublicSiteOptions>(configuration.GetSection(PublicSiteOptions.Section));
        services.AddPublicSite();

        // The public site and the console share paths ("/"); each answers only on its own port.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, LocalPortMatcherPolicy>());
        services.AddRecipientKeys(configuration[RecipientKeys.SecretSetting]);
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallerInterceptor>();
            grpc.EnableDetailedErrors = false;
        });
        services.AddGrpcReflection();
        return services.AddGrpcHealthChecks();
    }

    /// <summary>
    /// Write limits across the cluster, in Redis (<see cref="RedisWriteRateLimiter"/>); call before
    /// <see cref="AddClearinghouseGateway"/>. <paramref name="redis"/> is a StackExchange.Redis configuration string.
    /// </summary>
    public static IServiceCollection AddClusterWriteLimits(this IServiceCollection services, string redis, string serviceId)
    {
        var configuration = ConfigurationOptions.Parse(redis);
        // Keep trying while Redis restarts; meanwhile each gateway's own bucket limits writes.
        configuration.AbortOnConnectFail = false;
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
        services.AddSingleton<IWriteLimiter>(provider => ActivatorUtilities.CreateInstance<RedisWriteRateLimiter>(provider, $"{serviceId}/write-limit/"));
        return services;
    }

    public static IEndpointRouteBuilder MapClearinghouseGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VerdictService>();
        endpoints.MapGrpcService<RecordsService>();
        endpoints.MapGrpcService<DiagnosticsService>();
        endpoints.MapGrpcService<DoNotSendService>();
        endpoints.MapGrpcService<ReportsService>();
        endpoints.MapGrpcService<FilterListService>();
        endpoints.MapGrpcService<OperatorService>();
        endpoints.MapGrpcService<ConnectionsService>();
        endpoints.MapGrpcService<ProviderMapsService>();
        endpoints.MapGrpcService<RecipientListsService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }
}
