namespace Clearinghouse.Domain;

/// <summary>A forged domain's counts as operators read them.</summary>
[GenerateSerializer, Immutable]
public sealed record ForgeryStatus(
    [property: Id(0)] string Domain,
    [property: Id(1)] long ForgedReports,
    [property: Id(2)] long SpfFailures,
    [property: Id(3)] long DmarcFailures,
    [property: Id(4)] DateTimeOffset? FirstForgedAt,
    [property: Id(5)] DateTimeOffset? LastForgedAt,
    [property: Id(6)] long OpenPeriodReports,
    [property: Id(7)] DateTimeOffset? OpenPeriodEndsAt,
    [property: Id(8)] long FailureReportsQueued,
    [property: Id(9)] DateTimeOffset? LastFailureReportAt);
