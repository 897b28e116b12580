using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>Reports.SubmitViolation</c>: the recipient, then <c>ViolationMapping.ToDomain</c> (ViolationReportValidator).</summary>
public sealed class ViolationReportRequestTarget : ProtoFuzzTarget<V1.SubmitViolationRequest>
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromDays(2);

    public override string Name => "violation-report-request";

    public override string Description =>
        "SubmitViolationRequest bytes through Parser.ParseFrom, Address.Parse and ViolationMapping.ToDomain (enums, " +
        "Timestamps, both messages' evidence, ViolationReportValidator). An accepted report has its dates in order " +
        "(first message, request, end of the grace period, second message, now) and two distinct messages.";

    protected override void Map(V1.SubmitViolationRequest request)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var report = ViolationMapping.ToDomain(request, recipient, "fuzz", GracePeriod, FixedClock.Now);
        DomainInvariants.CheckAddress(recipient);
        DomainInvariants.CheckAddress(report.Sender);
        DomainInvariants.CheckEvidence(report.FirstMessage);
        DomainInvariants.CheckEvidence(report.SecondMessage);
        InvariantViolation.Check(report.FirstMessage.Date <= report.RequestedAt, "a request before the first message");
        InvariantViolation.Check(report.RequestedAt + GracePeriod <= report.SecondMessage.Date, "a second message within the grace period");
        InvariantViolation.Check(report.SecondMessage.Date <= FixedClock.Now + DoNotSendValidator.ClockSkew, "a second message from the future");
        InvariantViolation.Check(report.FirstMessage.MessageId != report.SecondMessage.MessageId, "the same message twice");
        InvariantViolation.Check(report.ReportKey.Length > 0 && Sha256Hex.IsValid(report.RecipientHash), $"report key {report.ReportKey}, recipient hash {report.RecipientHash}");
    }

    protected override IEnumerable<V1.SubmitViolationRequest> SeedMessages() => ViolationReportGrammar.Seeds();

    protected override V1.SubmitViolationRequest GenerateMessage(FuzzRandom random) => ViolationReportGrammar.Generate(random);
}
