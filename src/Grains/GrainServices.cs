using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Cluster;
using Clearinghouse.Grains.Escalation;
using Clearinghouse.Grains.Forgery;
using Clearinghouse.Grains.Recipients.Cache;
using Clearinghouse.Grains.Mail;
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

        // Forged senders: their domains' owners get aggregated failure reports through the outbox. The gateway registers
        // its resolver for the DMARC lookups; a host without a gateway has none (a report waits, retried).
        services.AddOptions<ForgeryOptions>().Bind(configuration.GetSection(ForgeryOptions.Section))
            .Validate(forgery => forgery.ReportPeriod > TimeSpan.Zero && forgery.ReminderPeriod > TimeSpan.Zero, $"{ForgeryOptions.Section}: ReportPeriod and ReminderPeriod must be positive")
            .Validate(forgery => forgery.MaxSamples >= 1 && forgery.MaxRememberedKeys >= 0, $"{ForgeryOptions.Section}: MaxSamples must be at least 1 and MaxRememberedKeys not negative")
            .ValidateOnStart();
        services.TryAddSingleton<ITxtRecords, NoTxtRecords>();
        services.TryAddSingleton<ForgeryReportSender>();
        var identifierSecret = configuration[RecipientKeys.SecretSetting];
        services.TryAddSingleton(_ => new CaseDisclosure(identifierSecret ?? throw new InvalidOperationException($"{RecipientKeys.SecretSetting} is required: escalation evidence keys its recipient identifiers with it")));

        // Lists above a recipient's own, for the duplicate eviction rule. The global filter list registers here too.
        services.AddSingleton<IHigherLevelLists, ProviderSenderLists>();
        services.AddSingleton<IHigherLevelLists, GlobalFilterListLevel>();
        services.TryAddSingleton<HigherLevelListSet>();
        // The thresholds and rank cutoffs this silo's sender grains decide with.
        services.TryAddSingleton<RankingViewCache>();

        // Whether this silo may answer from memory, and its read cache of recipients (docs/RECIPIENT-CACHE.md): the
        // co-hosted gateway answers checks without a grain call wherever the recipient's grain lives.
        services.Configure<ClusterStandingOptions>(configuration.GetSection(ClusterStandingOptions.Section));
        services.AddSingleton<ClusterStanding>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<ClusterStanding>());
        services.Configure<RecipientCacheOptions>(configuration.GetSection(RecipientCacheOptions.Section));
        services.AddSingleton<RecipientReadCache>();
        services.AddSingleton<IRecipientReadCache>(provider => provider.GetRequiredService<RecipientReadCache>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<RecipientReadCache>());
        services.AddSingleton<RecipientCacheServiceClient>();
        services.AddSingleton<RecipientCachePublisher>();
        services.AddGrainService<RecipientCacheService>();

        // Grain state is stored in Orleans' own version-tolerant binary format, so the [Id]s on state types are what
        // keeps old state readable.
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        return services;
    }
}
