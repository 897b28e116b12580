namespace Clearinghouse.Domain;

/// <summary>
/// An item of a stored evidence sample kept by reference: the report of the event at <see cref="Index"/> in the
/// stored event batch <see cref="Batch"/>, at <see cref="Position"/> in the sample (oldest first).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EvidenceReference(
    [property: Id(0)] int Position,
    [property: Id(1)] long Batch,
    [property: Id(2)] int Index);
