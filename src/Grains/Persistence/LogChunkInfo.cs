namespace Clearinghouse.Grains.Persistence;

/// <summary>A stored chunk: its id (part of its state name) and a number its owner chooses (e.g. its newest entry's).</summary>
[GenerateSerializer, Immutable]
public sealed record LogChunkInfo([property: Id(0)] string Id, [property: Id(1)] long Tag);
