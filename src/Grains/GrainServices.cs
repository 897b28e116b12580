using Clearinghouse.Contracts;
using Clearinghouse.Grains.Recipients;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;

namespace Clearinghouse.Grains;

public static class GrainServices
{
    /// <summary>What the grains need from the silo's container, whatever storage and clustering it uses.</summary>
    public static IServiceCollection AddClearinghouseGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RecipientOptions>(configuration.GetSection(RecipientOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddRecipientKeys(configuration[RecipientKeyRegistration.SecretSetting]);

        // Grain state is stored in Orleans' own version-tolerant binary format, so the [Id]s on state types are what
        // keeps old state readable.
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        return services;
    }
}
