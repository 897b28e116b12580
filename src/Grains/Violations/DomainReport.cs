using Clearinghouse.Domain;

namespace Clearinghouse.Grains.Violations;

/// <summary>A report a domain's aggregate counted, as it stores it: the sender's entry and when it arrived.</summary>
[GenerateSerializer, Immutable]
public sealed record DomainReport([property: Id(0)] DateTimeOffset At, [property: Id(1)] LedgerEntry Report);
