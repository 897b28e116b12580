namespace Clearinghouse.Domain;

/// <summary>The changes a provider can make to its maps, over a <see cref="ProviderMapsState"/>; each change bumps the version.</summary>
public sealed class ProviderMapsBook(ProviderMapsState state)
{
    private ProviderMapsSnapshot? snapshot;

    public long Version => state.Version;

    public (int Added, int Replaced) Put(MapKind map, IReadOnlyList<MapEntry> entries)
    {
        var target = Map(map);
        int added = 0, replaced = 0;
        foreach (var entry in entries)
        {
            if (target.TryGetValue(entry.Identifier, out var existing))
            {
                target[entry.Identifier] = entry with { CreatedAt = existing.CreatedAt };
                replaced++;
            }
            else
            {
                target[entry.Identifier] = entry;
                added++;
            }
        }

        Changed();
        return (added, replaced);
    }

    public int Remove(MapKind map, IReadOnlyList<string> identifiers)
    {
        var target = Map(map);
        var removed = identifiers.Count(target.Remove);
        if (removed > 0)
        {
            Changed();
        }

        return removed;
    }

    public (int Added, int Replaced) PutSenders(IReadOnlyList<NewRecord> entries, DateTimeOffset now, Func<string> newId)
    {
        int added = 0, replaced = 0;
        foreach (var entry in entries)
        {
            var at = state.Senders.FindIndex(r => r.Pattern == entry.Pattern && r.Channel == entry.Channel);
            if (at >= 0)
            {
                state.Senders[at] = state.Senders[at] with { Action = entry.Action, Message = entry.Message, ThreatLevel = entry.ThreatLevel, Source = entry.Source };
                replaced++;
            }
            else
            {
                state.Senders.Add(new BlockingRecord(newId(), entry.Pattern, entry.Channel, entry.Action, entry.Message, entry.ThreatLevel, now, entry.Source));
                added++;
            }
        }

        Changed();
        return (added, replaced);
    }

    public int RemoveSenders(IReadOnlyList<SenderListKey> keys)
    {
        var removed = state.Senders.RemoveAll(r => keys.Any(k => k.Pattern == r.Pattern && k.Channel == r.Channel));
        if (removed > 0)
        {
            Changed();
        }

        return removed;
    }

    /// <summary>For each key, whether the sender list blocks that pattern on that channel.</summary>
    public bool[] AreListed(IReadOnlyList<SenderListKey> keys)
    {
        var blocked = state.Senders
            .Where(r => r.Action != RecordAction.Allow)
            .Select(r => new SenderListKey(r.Pattern, r.Channel))
            .ToHashSet();
        return keys.Select(blocked.Contains).ToArray();
    }

    public ProviderMapsSnapshot Snapshot() =>
        snapshot ??= new ProviderMapsSnapshot(state.Version, [.. state.Connections.Values], [.. state.Recipients.Values], [.. state.Senders]);

    private Dictionary<string, MapEntry> Map(MapKind map) => map switch
    {
        MapKind.Connection => state.Connections,
        MapKind.Recipient => state.Recipients,
        _ => throw new InvalidFieldException("map", "is not a known map"),
    };

    private void Changed()
    {
        state.Version++;
        snapshot = null;
    }
}
