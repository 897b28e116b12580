using System.Text;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using Clearinghouse.Grains.Escalation;
using MimeKit;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>
/// The abuse report an escalation sends by e-mail, built from what the report parsers accepted: a sender or a Message-ID
/// that MimeKit cannot write would make every delivery of the case fail.
/// </summary>
public sealed class ArfReportTarget : ProtoFuzzTarget<V1.SubmitViolationRequest>
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromDays(2);
    private static readonly ArfMailSettings Settings = new() { Host = "127.0.0.1", From = "reports@clearinghouse.example", To = "abuse@{sender_domain}" };

    public override string Name => "arf-report";

    public override string Description =>
        "A SubmitViolationRequest accepted by ViolationMapping.ToDomain, escalated: ArfReport.Build (src/Grains/Escalation) " +
        "makes the RFC 5965 report, which is written and read back with MimeKit. It always builds, names the sender, and " +
        "quotes the violating message's Message-ID as the evidence holds it.";

    protected override void Map(V1.SubmitViolationRequest request)
    {
        var recipient = Address.Parse(request.Recipient, "recipient");
        var report = ViolationMapping.ToDomain(request, recipient, "fuzz", GracePeriod, FixedClock.Now);
        var escalation = new EscalationCase("case-1", report.Sender, FixedClock.Now, new SenderStanding(1, 1, 1, 1, 1, FixedClock.Now), ["fuzz"], [report], "fuzzed");

        var built = ArfReport.Build(Settings, new DisclosedCase(escalation, DisclosureLevel.Full), "case-1/isp", "Clearinghouse", FixedClock.Now);
        using var stream = new MemoryStream();
        built.WriteTo(stream);
        stream.Position = 0;
        var parsed = MimeMessage.Load(stream);

        var parts = parsed.Body as MultipartReport;
        InvariantViolation.Check(parts is { Count: 3 } && parts[1] is MessageFeedbackReport && parts[2] is TextRfc822Headers, "the report does not read back as multipart/report with its three parts");
        var feedback = (MessageFeedbackReport)parts![1];
        InvariantViolation.CheckEqual($"<{report.Sender.Value}>", feedback.Fields["Original-Mail-From"], "Original-Mail-From read back");
        // The raw bytes: MimeKit reads the part's headers back as Latin-1, but writes (as it should) UTF-8.
        var header = ((TextRfc822Headers)parts[2]).Message!.Headers.FirstOrDefault(h => h.Id == HeaderId.MessageId);
        var quoted = header is null ? null : Encoding.UTF8.GetString(header.RawValue).Replace("\r\n", "", StringComparison.Ordinal).Trim();
        InvariantViolation.CheckEqual($"<{report.SecondMessage.MessageId}>", quoted, "the violating message's Message-ID read back");
    }

    protected override IEnumerable<V1.SubmitViolationRequest> SeedMessages() => ViolationReportGrammar.Seeds();

    protected override V1.SubmitViolationRequest GenerateMessage(FuzzRandom random) => ViolationReportGrammar.Generate(random);
}
