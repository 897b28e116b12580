using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clearinghouse.Gateway.Grains;

/// <summary>Finds a recipient's grain by its address. Use it for every call to <see cref="IRecipient"/>.</summary>
public sealed class RecipientGrains(GrainReferences<IRecipient> grains, RecipientKeys keys, IRecipientReadCache cache)
{
    public IRecipient Get(Address recipient) => grains.Get(keys.For(recipient));

    /// <summary>
    /// The verdict for one message to <paramref name="recipient"/>: from this silo's memory (the snapshot of a grain
    /// active here, or a cached copy of one elsewhere) when it may answer from memory, otherwise asked of the grain
    /// wherever it lives (see docs/RECIPIENT-CACHE.md).
    /// </summary>
    public ValueTask<Verdict> Check(Address recipient, CheckRequest request)
    {
        var key = keys.For(recipient);
        var cached = cache.TryCheckAsync(key, request);
        return cached.IsCompletedSuccessfully && cached.Result is { } verdict ? new(verdict) : CheckSlowlyAsync(key, request, cached);
    }

    private async ValueTask<Verdict> CheckSlowlyAsync(string key, CheckRequest request, ValueTask<Verdict?> cached) =>
        await cached ?? await grains.Get(key).Evaluate(request);
}

public static class RecipientKeyRegistration
{
    /// <summary>Registers <see cref="RecipientKeys"/> and <see cref="RecipientGrains"/>.</summary>
    public static IServiceCollection AddRecipientKeys(this IServiceCollection services, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException($"{RecipientKeys.SecretSetting} is not configured: recipient grains are keyed by a keyed hash of the address, and every silo needs the same secret.");
        }

        if (secret.Length < RecipientKeys.MinSecretLength)
        {
            throw new InvalidOperationException($"{RecipientKeys.SecretSetting} has {secret.Length} characters: it needs at least {RecipientKeys.MinSecretLength}.");
        }

        services.AddSingleton(new RecipientKeys(secret));
        // A gateway without co-hosted grains (a plain Orleans client) asks every grain.
        services.TryAddSingleton<IRecipientReadCache, NoRecipientReadCache>();
        services.AddSingleton<RecipientGrains>();
        return services;
    }
}
