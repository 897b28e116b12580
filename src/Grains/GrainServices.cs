using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Clearinghouse.Grains.Escalation;
using Clearinghouse.Grains.Mail;
using Clearinghouse.Grains.Recipients;
using Clearinghouse.Grains.Recipients.Eviction;
using Clearinghouse.Grains.Violations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Clearinghouse.Grains;

public static class GrainServices
{
    /// <summary>
    /// What the grains need from the silo's container, whatever storage and clustering it uses. The clock and the
    /// options the gateway shares come from the composition root (<c>AddClearinghouseCore</c>).
    /// </summary>
    public static IServiceCollection AddClearinghouseGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RecipientOptions>(configuration.GetSection(RecipientOptions.Section));
        services.Configure<ViolationOptions>(configuration.GetSection(ViolationOptions.Section));
        services.Configure<AuditOptions>(configuration.GetSection(AuditOptions.Section));
        services.AddOptions<EscalationOptions>().Bind(configuration.GetSection(EscalationOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EscalationOptions>, EscalationOptionsValidator>());
        services.TryAddSingleton<WebhookTransport>();
        services.TryAddSingleton<SmtpTransport>();
        services.TryAddSingleton<EscalationDispatcher>();
        var identifierSecret = configuration[RecipientKeys.SecretSetting];
        services.TryAddSingleton(_ => new CaseDisclosure(identifierSecret ?? throw new InvalidOperationException($"{RecipientKeys.SecretSetting} is required: escalation evidence keys its recipient identifiers with it")));

        // Lists above a recipient's own, for the duplicate eviction rule. The global filter list registers here too.
        services.AddSingleton<IHigherLevelLists, ProviderSenderLists>();
        services.AddSingleton<IHigherLevelLists, GlobalFilterListLevel>();
        services.TryAddSingleton<HigherLevelListSet>();
        // The thresholds and rank cutoffs this silo's sender grains decide with.
        services.TryAddSingleton<RankingViewCache>();

        // Whether this silo may answer from memory: only while it has confirmed, within a bound, that it is an active member.
        services.Configure<ClusterStandingOptions>(configuration.GetSection(ClusterStandingOptions.Section));
        services.AddSingleton<ClusterStanding>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<ClusterStanding>());

        // Checks of the recipients active in this silo, answered by the co-hosted gateway without a grain call.
        services.AddSingleton<LocalRecipientChecks>();
        services.AddSingleton<ILocalRecipientChecks>(provider => provider.GetRequiredService<LocalRecipientChecks>());

        // Grain state is stored in Orleans' own version-tolerant binary format, so the [Id]s on state types are what
        // keeps old state readable.
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        return services;
    }
}
