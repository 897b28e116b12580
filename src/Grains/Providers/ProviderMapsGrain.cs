using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Grains.Providers;

/// <summary>
/// Hosts one provider's <see cref="ProviderMapsBook"/>. Not reentrant, so at most one storage write is in flight;
/// a change is acknowledged, with the new maps, once persisted. Gateways copy the maps and answer from memory.
/// </summary>
public sealed class ProviderMapsGrain(
    [PersistentState("provider-maps", StorageNames.Large)] IPersistentState<ProviderMapsState> state,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<ProviderMapsGrain> logger) : Grain, IProviderMaps
{
    private ProviderMapsBook book = null!;
    private StateWriter writer = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        book = new ProviderMapsBook(state.State);
        writer = new StateWriter(GrainContext, state, logger);
        return Task.CompletedTask;
    }

    async Task<MapChange> IProviderMaps.PutEntries(MapKind map, MapEntry[] entries)
    {
        var (added, replaced) = book.Put(map, entries);
        await PersistAsync();
        return new MapChange(added, replaced, 0, book.Snapshot());
    }

    async Task<MapChange> IProviderMaps.RemoveEntries(MapKind map, string[] identifiers)
    {
        var removed = book.Remove(map, identifiers);
        if (removed > 0)
        {
            await PersistAsync();
        }

        return new MapChange(0, 0, removed, book.Snapshot());
    }

    async Task<MapChange> IProviderMaps.PutSenderListEntries(NewRecord[] entries)
    {
        var now = clock.GetUtcNow();
        var (added, replaced) = book.PutSenders(entries, now, () => Guid.CreateVersion7(now).ToString("N"));
        await PersistAsync();
        return new MapChange(added, replaced, 0, book.Snapshot());
    }

    async Task<MapChange> IProviderMaps.RemoveSenderListEntries(SenderListKey[] keys)
    {
        var removed = book.RemoveSenders(keys);
        if (removed > 0)
        {
            await PersistAsync();
        }

        return new MapChange(0, 0, removed, book.Snapshot());
    }

    Task<ProviderMapsSnapshot> IProviderMaps.GetSnapshot() => Task.FromResult(book.Snapshot());

    Task<ProviderMapsSnapshot?> IProviderMaps.GetIfNewer(long version) =>
        Task.FromResult(book.Version > version ? book.Snapshot() : null);

    Task<bool[]> IProviderMaps.AreListed(SenderListKey[] keys) => Task.FromResult(book.AreListed(keys));

    private Task PersistAsync() => writer.WriteAsync();
}
