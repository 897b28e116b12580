using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Violation reports for the targets that read them: valid seeds and generated reports with clustered dates.</summary>
public static class ViolationReportGrammar
{
    public static IEnumerable<V1.SubmitViolationRequest> Seeds() =>
    [
        new()
        {
            ReportId = "r-1", Recipient = "alice@example.com", Sender = "news@shop.example", RequestMethod = V1.DoNotSendMethod.Reply,
            FirstMessage = RequestGrammar.ValidEvidence("<first@shop.example>", FixedClock.Now.AddDays(-10)),
            RequestedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(FixedClock.Now.AddDays(-9)),
            SecondMessage = RequestGrammar.ValidEvidence("<second@shop.example>", FixedClock.Now.AddDays(-1)),
        },
        new()
        {
            ReportId = "r-2", Recipient = "bob@example.com", Sender = "\"odd sender\"@[192.0.2.1]", RequestMethod = V1.DoNotSendMethod.OneClick,
            FirstMessage = RequestGrammar.ValidEvidence("a@b@c", FixedClock.Now.AddDays(-10)),
            RequestedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(FixedClock.Now.AddDays(-9)),
            SecondMessage = RequestGrammar.ValidEvidence("<x@y(>", FixedClock.Now.AddDays(-1)),
        },
    ];

    public static V1.SubmitViolationRequest Generate(FuzzRandom random)
    {
        var epoch = RequestGrammar.Epoch(random);
        return new V1.SubmitViolationRequest
        {
            ReportId = random.Chance(0.9) ? $"r-{random.Next(1000)}" : random.Pick(["", " ", new string('r', 129), "r\n1"]),
            Recipient = Grammars.Address(random),
            Sender = Grammars.Address(random),
            Channel = RequestGrammar.Enum<V1.Channel>(random),
            FirstMessage = RequestGrammar.Evidence(random, epoch.AddDays(-10)),
            RequestMethod = RequestGrammar.Enum<V1.DoNotSendMethod>(random),
            RequestedAt = RequestGrammar.Timestamp(random, epoch.AddDays(-9)),
            SecondMessage = RequestGrammar.Evidence(random, epoch.AddDays(-1)),
            Authentication = random.Chance(0.5) ? null : new V1.AuthenticationResults
            {
                Spf = RequestGrammar.Enum<V1.SpfResult>(random),
                Dkim = RequestGrammar.Enum<V1.DkimResult>(random),
                DkimDomain = random.Chance(0.5) ? "" : Grammars.Domain(random),
                Dmarc = RequestGrammar.Enum<V1.DmarcResult>(random),
            },
            AuthenticationResultsHeader = random.Chance(0.8) ? "" : random.Pick(["mx.example; spf=fail smtp.mailfrom=a@b.example", "mx.example; dmarc=pass", "spf=", "mx.example; dkim=pass header.d=" + Grammars.Domain(random)]),
        };
    }
}
