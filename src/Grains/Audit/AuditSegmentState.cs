using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Audit;

/// <summary>One audit segment's entries, oldest first. Add new fields at the end with new ids; never renumber.</summary>
[GenerateSerializer]
public sealed class AuditSegmentState
{
    [Id(0)]
    public List<AuditEntry> Entries { get; set; } = [];
}
