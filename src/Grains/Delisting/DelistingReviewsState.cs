using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Delisting;

/// <summary>The review queue as persisted. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class DelistingReviewsState
{
    [Id(0)]
    public Dictionary<string, DelistingRequestView> Waiting { get; set; } = new(StringComparer.Ordinal);
}
