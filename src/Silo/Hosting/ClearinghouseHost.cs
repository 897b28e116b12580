using Clearinghouse.Gateway;

namespace Clearinghouse.Silo.Hosting;

/// <summary>The whole system in one process: a silo with the gRPC gateway co-hosted. Used by Program and by tests.</summary>
public static class ClearinghouseHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.AddClearinghouseSilo();
        var developmentCredentials = DevelopmentCredentials.ApplyIfNoneConfigured(builder.Configuration, options);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new StartupFacts(developmentCredentials));
        builder.Services.AddHostedService<StartupBanner>();
        if (options.Storage == StorageMode.Redis)
        {
            builder.Services.AddHostedService<RedisDurabilityCheck>();
        }

        builder.Services.AddClearinghouseGateway(builder.Configuration)
            .AddCheck<SiloHealthCheck>("silo");
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapClearinghouseGateway();
        return app;
    }
}
