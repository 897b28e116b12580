namespace Clearinghouse.Domain;

/// <summary>
/// A violation report whose sender forged a domain, as the forged domain's aggregate receives it: the report's key
/// (counted once), the claimed sender, the authentication results and the violating message's evidence. No recipient
/// and no provider: the domain's owner learns neither.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ForgedViolation(
    [property: Id(0)] string ReportKey,
    [property: Id(1)] Address Sender,
    [property: Id(2)] AuthenticationResults Results,
    [property: Id(3)] MessageEvidence Message,
    [property: Id(4)] DateTimeOffset ReportedAt)
{
    public static ForgedViolation Of(ViolationReport report) =>
        new(report.ReportKey, report.Sender, report.AuthenticationResults ?? AuthenticationResults.Unknown, report.SecondMessage, report.ReportedAt);
}
