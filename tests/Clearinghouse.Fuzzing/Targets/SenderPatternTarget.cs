using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>The sender patterns of records and of providers' sender lists.</summary>
public sealed class SenderPatternTarget : TextFuzzTarget
{
    public override string Name => "sender-pattern";

    public override string Description =>
        "SenderPattern.TryParse and Parse (src/Domain/Patterns/SenderPattern.cs). An accepted pattern's written form " +
        "parses back to it, its value is a normalised address or domain, and it matches the senders its kind says " +
        "(a domain pattern its domain, a subdomain or TLD pattern the names under it but not the name itself).";

    public override IReadOnlyList<string> Dictionary => ["*.", ".", "*", "@", "xn--", "[", "co.uk"];

    public override FuzzOutcome Execute(string text)
    {
        var accepted = SenderPattern.TryParse(text, out var pattern, out var problem);
        DomainInvariants.CheckParseAgrees(accepted, problem, () => SenderPattern.Parse(text, "pattern"), "pattern");
        if (!accepted)
        {
            return FuzzOutcome.Rejected;
        }

        DomainInvariants.CheckPattern(pattern);
        if (pattern.Kind != PatternKind.Address)
        {
            CheckMatches(pattern, "x@" + pattern.Value, pattern.Kind == PatternKind.Domain);
            CheckMatches(pattern, "x@sub." + pattern.Value, pattern.Kind != PatternKind.Domain);
        }

        return FuzzOutcome.Accepted;
    }

    protected override IEnumerable<string> SeedTexts() =>
        ["newsletter@shop.example", "example.com", "*.example.com", ".xyz", ".co.uk", "Bücher.Example", "*.例え.jp", "*", "*.", ".", "ex*ample.com"];

    protected override string GenerateText(FuzzRandom random) => Grammars.Pattern(random);

    // Only where the sender is itself a valid address (a long pattern leaves no room for "sub.").
    private static void CheckMatches(SenderPattern pattern, string sender, bool expected)
    {
        if (Address.TryParse(sender, out var address, out _))
        {
            InvariantViolation.CheckEqual(expected, pattern.Matches(address), $"whether {pattern} matches {address}");
        }
    }
}
