using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Silo.Hosting;

/// <summary>What both the grains and the gateway of a silo use, registered once by the composition root.</summary>
public static class CoreServices
{
    public static IServiceCollection AddClearinghouseCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Orleans' own timers use the unkeyed clock; the domain's time (grace periods, windows) uses the keyed one,
        // which tests replace with a fake.
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton<TimeProvider>(ClearinghouseClock.Key, (provider, _) => provider.GetRequiredService<TimeProvider>());
        services.Configure<FilterListOptions>(configuration.GetSection(FilterListOptions.Section));
        services.AddOptions<DelistingOptions>().Bind(configuration.GetSection(DelistingOptions.Section))
            .Validate(delisting => delisting.Problem() is not { } problem
                ? true
                : throw new OptionsValidationException(DelistingOptions.Section, typeof(DelistingOptions), [$"{DelistingOptions.Section}: {problem}"]))
            .ValidateOnStart();
        return services;
    }
}
