namespace Clearinghouse.Domain;

/// <summary>
/// One period's forgeries of a domain, aggregated into one RFC 6591 authentication-failure report for its owner: how
/// many, by failure, and a sample. <see cref="ReportId"/> (domain and period) makes queuing it idempotent.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ForgeryReport(
    [property: Id(0)] string ReportId,
    [property: Id(1)] string Domain,
    [property: Id(2)] DateTimeOffset PeriodStart,
    [property: Id(3)] DateTimeOffset PeriodEnd,
    [property: Id(4)] long Count,
    [property: Id(5)] long SpfFailures,
    [property: Id(6)] long DmarcFailures,
    [property: Id(7)] IReadOnlyList<ForgedViolation> Samples)
{
    /// <summary>The RFC 6591 <c>Auth-Failure</c> of the report: the failure most of the period's reports had.</summary>
    public string AuthFailure => DmarcFailures > SpfFailures ? "dmarc" : "spf";
}
