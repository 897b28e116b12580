using System.Collections.Concurrent;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Maps;

/// <summary>Replication of providers' maps to the gateway (configuration section <c>Clearinghouse:Maps</c>).</summary>
public sealed class MapsOptions
{
    public const string Section = "Clearinghouse:Maps";

    /// <summary>
    /// How often the gateway asks for newer maps of each provider it serves. A change is visible at once on the gateway
    /// that made it, and on the others within about this interval.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// This gateway's in-memory copy of each provider's maps, so that a check costs no grain call. A provider's maps are
/// loaded on its first check, installed again after every change made through this gateway (before the change is
/// answered), and refreshed by <see cref="ProviderMapsRefresher"/> from changes made elsewhere (versioned polling:
/// the grain answers "nothing newer" cheaply). An older version never replaces a newer one.
/// </summary>
public sealed partial class ProviderMapsReplica(IGrainFactory grains, ILogger<ProviderMapsReplica> logger)
{
    private readonly ConcurrentDictionary<string, CompiledProviderMaps> current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledProviderMaps>>> loading = new(StringComparer.Ordinal);
    private readonly Lock installGate = new();

    public ValueTask<CompiledProviderMaps> GetAsync(string providerId) =>
        current.TryGetValue(providerId, out var maps) ? new(maps) : new(LoadAsync(providerId));

    /// <summary>Installs <paramref name="snapshot"/> unless a newer version is installed; returns what is installed.</summary>
    public CompiledProviderMaps Install(string providerId, ProviderMapsSnapshot snapshot)
    {
        if (current.TryGetValue(providerId, out var installed) && installed.Version >= snapshot.Version)
        {
            return installed;
        }

        var compiled = new CompiledProviderMaps(snapshot);
        lock (installGate)
        {
            if (current.TryGetValue(providerId, out installed) && installed.Version >= compiled.Version)
            {
                return installed;
            }

            current[providerId] = compiled;
            return compiled;
        }
    }

    /// <summary>Fetches newer maps for every provider this gateway has served.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        foreach (var (providerId, maps) in current)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await grains.GetGrain<IProviderMaps>(providerId).GetIfNewer(maps.Version) is { } newer)
                {
                    Install(providerId, newer);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogRefreshFailed(error, providerId);
            }
        }
    }

    private Task<CompiledProviderMaps> LoadAsync(string providerId) =>
        loading.GetOrAdd(providerId, id => new Lazy<Task<CompiledProviderMaps>>(() => FetchAsync(id))).Value;

    private async Task<CompiledProviderMaps> FetchAsync(string providerId)
    {
        try
        {
            return Install(providerId, await grains.GetGrain<IProviderMaps>(providerId).GetSnapshot());
        }
        finally
        {
            loading.TryRemove(providerId, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the maps of provider {ProviderId} failed; the gateway keeps answering from its copy and retries")]
    private partial void LogRefreshFailed(Exception error, string providerId);
}

/// <summary>Polls for newer provider maps every <see cref="MapsOptions.RefreshInterval"/>.</summary>
public sealed class ProviderMapsRefresher(ProviderMapsReplica replica, IOptions<MapsOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await replica.RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
