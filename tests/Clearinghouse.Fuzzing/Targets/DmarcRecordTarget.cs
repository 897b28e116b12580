using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>DMARC records as a DNS TXT record holds them (outside input: anyone publishes them), with their ruf= URIs.</summary>
public sealed class DmarcRecordTarget : TextFuzzTarget
{
    public override string Name => "dmarc-record";

    public override string Description =>
        "DmarcRecord.Parse and TryParseRuf (src/Domain/Forgery/DmarcRecord.cs). A record parses exactly when it is a " +
        "DMARC record (v=DMARC1 first); it yields at most two failure-report addresses, each a normalised address that " +
        "parses again to itself, with a positive size limit when it has one.";

    public override int MaxInputBytes => 2048;

    public override IReadOnlyList<string> Dictionary => ["v=DMARC1", ";", "ruf=", "rua=", "fo=", "mailto:", "!", "k", "m", "g", "t", ",", "%2C", "%40", "?", "@", ":", "d", "s", "0", "1"];

    public override FuzzOutcome Execute(string text)
    {
        var record = DmarcRecord.Parse(text);
        InvariantViolation.CheckEqual(DmarcRecord.IsDmarc(text), record is not null, $"whether {InputText.Quote(text)} parses, against whether it is a DMARC record");
        if (record is null)
        {
            return FuzzOutcome.Rejected;
        }

        InvariantViolation.Check(record.FailureReportAddresses.Count <= DmarcRecord.MaxRuf, $"{record.FailureReportAddresses.Count} ruf addresses kept");
        foreach (var ruf in record.FailureReportAddresses)
        {
            InvariantViolation.Check(Address.TryParse(ruf.Mailbox.Value, out var again, out _) && again == ruf.Mailbox, $"ruf address {ruf.Mailbox.Value} does not parse to itself");
            InvariantViolation.Check(ruf.MaxBytes is null or >= 0, $"a size limit of {ruf.MaxBytes}");
        }

        return FuzzOutcome.Accepted;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "v=DMARC1; p=reject; ruf=mailto:failures@bank.example!10k; fo=1",
        "v=DMARC1;ruf=mailto:a@bank.example,mailto:b%40x@third.example!2m,mailto:c@bank.example",
        "v=DMARC1; ruf=mailto:a@bank.example?subject=x; fo=d:s",
        "v=DMARC1; ruf=https://bank.example/",
        "v=spf1 -all",
        "v=DMARC1; ruf=mailto:a@bank.example!99999999999999t",
    ];

    protected override string GenerateText(FuzzRandom random)
    {
        var tags = new List<string> { random.Chance(0.9) ? "v=DMARC1" : random.Pick(["v=DMARC2", "p=none", "v = dmarc1", ""]) };
        for (var i = random.Between(0, 4); i > 0; i--)
        {
            tags.Add(random.Next(4) switch
            {
                0 => "ruf=" + string.Join(",", Enumerable.Range(0, random.Between(0, 4)).Select(_ => Ruf(random))),
                1 => "fo=" + string.Join(":", Enumerable.Range(0, random.Between(0, 3)).Select(_ => random.Pick(["0", "1", "d", "s", "x"]))),
                2 => "p=" + random.Pick(["none", "quarantine", "reject"]),
                _ => "rua=" + Ruf(random),
            });
        }

        return string.Join(random.Pick([";", "; ", " ;"]), tags);
    }

    private static string Ruf(FuzzRandom random)
    {
        var address = Grammars.Address(random);
        var uri = (random.Chance(0.9) ? "mailto:" : "https://") + (random.Chance(0.3) ? Uri.EscapeDataString(address) : address);
        if (random.Chance(0.3))
        {
            uri += "!" + random.Between(0, 99999) + random.Pick(["", "k", "m", "g", "t", "x"]);
        }

        return uri;
    }
}
