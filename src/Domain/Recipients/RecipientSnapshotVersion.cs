namespace Clearinghouse.Domain;

/// <summary>Which published snapshot of a recipient a cache holds: the grain activation that published it, and its sequence there.</summary>
[GenerateSerializer, Immutable]
public sealed record RecipientSnapshotVersion([property: Id(0)] Guid Activation, [property: Id(1)] long Sequence);
