using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// An in-memory grain storage for cluster tests that keeps each grain state's last written value (serialized, as a
/// real store would; one entry per grain and state name) and counts writes, with ETag checks like a real store. Lets a
/// test see exactly what reached storage.
/// </summary>
public sealed class RecordingGrainStorage(Serializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId Grain), Entry> entries = new();

    /// <summary>Writes of all of <paramref name="grainId"/>'s states.</summary>
    public int WriteCount(GrainId grainId) => entries.Where(e => e.Key.Grain == grainId).Sum(e => e.Value.Writes);

    /// <summary>
    /// The state as last written for <paramref name="grainId"/> (its only state, or the one named), or default when
    /// never written.
    /// </summary>
    public T? Stored<T>(GrainId grainId, string? stateName = null)
    {
        var entry = entries.Where(e => e.Key.Grain == grainId && (stateName is null || e.Key.StateName == stateName)).Select(e => e.Value).SingleOrDefault();
        return entry?.Data is { } data ? serializer.Deserialize<T>(data) : default;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (entries.TryGetValue((stateName, grainId), out var entry) && entry.Data is { } data)
        {
            grainState.State = serializer.Deserialize<T>(data);
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = serializer.SerializeToArray(grainState.State);
        var etag = Guid.NewGuid().ToString("N");
        entries.AddOrUpdate(
            (stateName, grainId),
            _ => grainState.ETag is null ? new Entry(data, etag, 1) : throw new InconsistentStateException("no stored state for this ETag"),
            (_, existing) => existing.ETag == grainState.ETag
                ? new Entry(data, etag, existing.Writes + 1)
                : throw new InconsistentStateException($"ETag {grainState.ETag} does not match {existing.ETag}"));
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        entries.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private sealed record Entry(byte[]? Data, string? ETag, int Writes);
}
