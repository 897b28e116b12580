using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Grains;

/// <summary>Finds a recipient's grain by its address. Use it for every call to <see cref="IRecipient"/>.</summary>
public sealed class RecipientGrains(GrainReferences<IRecipient> grains, RecipientKeys keys, IRecipientReadCache cache, IOptions<GatewayOptions> options)
{
    // A check that failed because the grain's silo is unreachable (killed and not yet declared dead, stopping) is tried
    // again after this pause, as long as GrainCallTimeout allows: once the silo is declared dead the grain activates
    // elsewhere and the retry is answered. Only checks are retried: they are reads, or violations counted once per key.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan bound = options.Value.GrainCallTimeout;

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

    private async ValueTask<Verdict> CheckSlowlyAsync(string key, CheckRequest request, ValueTask<Verdict?> cached)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            return await cached ?? await grains.Get(key).Evaluate(request);
        }
        catch (GrainCallFailedException unreachable) when (unreachable.Failure == GrainCallFailure.SiloUnavailable)
        {
            while (true)
            {
                var left = bound - TimeProvider.System.GetElapsedTime(started) - RetryPause;
                if (left <= TimeSpan.Zero)
                {
                    throw;
                }

                await Task.Delay(RetryPause);
                try
                {
                    // The retry ends within the bound: a caller waits no longer than for one call.
                    return await RetryAsync(key, request).WaitAsync(left);
                }
                catch (GrainCallFailedException again) when (again.Failure == GrainCallFailure.SiloUnavailable)
                {
                }
                catch (TimeoutException)
                {
                    throw unreachable;
                }
            }
        }
    }

    private async Task<Verdict> RetryAsync(string key, CheckRequest request) =>
        await cache.TryCheckAsync(key, request) ?? await grains.Get(key).Evaluate(request);
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
