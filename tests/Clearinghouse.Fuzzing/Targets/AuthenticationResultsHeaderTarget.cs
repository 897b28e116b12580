using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>A violation report's Authentication-Results header (a provider's input), parsed with MimeKit and mapped.</summary>
public sealed class AuthenticationResultsHeaderTarget : TextFuzzTarget
{
    private const string Field = "authentication_results_header";

    public override string Name => "authentication-results-header";

    public override string Description =>
        "AuthenticationMapping.ParseHeader (src/Gateway/Services/AuthenticationMapping.cs). A header either maps to " +
        "results or is refused naming its field; a DKIM domain it yields is a normalised domain; the classification of " +
        "what it yields is defined.";

    public override int MaxInputBytes => 2048;

    public override IReadOnlyList<string> Dictionary => ["Authentication-Results:", ";", "spf=", "dkim=", "dmarc=", "pass", "fail", "softfail", "none", "header.d=", "header.i=", "smtp.mailfrom=", "(", ")", "\r\n ", "\""];

    public override FuzzOutcome Execute(string text)
    {
        AuthenticationResults results;
        try
        {
            results = AuthenticationMapping.ParseHeader(text, "bank.example", Field);
        }
        catch (InvalidFieldException error)
        {
            InvariantViolation.CheckEqual(Field, error.Field, "the field a refused header names");
            return FuzzOutcome.Rejected;
        }

        if (results.DkimDomain.Length > 0)
        {
            DomainInvariants.CheckDomain(results.DkimDomain);
        }

        InvariantViolation.Check(Enum.IsDefined(AuthenticationRule.Classify(results, Address.Parse("ceo@bank.example", "sender"))), "an undefined classification");
        return FuzzOutcome.Accepted;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "Authentication-Results: mx.example; spf=fail smtp.mailfrom=ceo@bank.example; dkim=pass header.d=bank.example; dmarc=fail header.from=bank.example",
        "mx.example; spf=softfail (not permitted) smtp.mailfrom=bank.example",
        "mx.example 1; none",
        "mx.example;\r\n dkim=pass header.i=@bank.example;\r\n dkim=fail header.d=x.example",
        "spf=pass",
    ];

    protected override string GenerateText(FuzzRandom random)
    {
        var parts = new List<string> { random.Pick(["mx.example", "mx.example 1", "", "\"quoted\""]) };
        for (var i = random.Between(0, 4); i > 0; i--)
        {
            var method = random.Pick(["spf", "dkim", "dmarc", "iprev", "auth"]);
            var result = random.Pick(["pass", "fail", "softfail", "none", "neutral", "temperror", "permerror", "policy", "hardfail", "bogus"]);
            var property = random.Pick(["", " smtp.mailfrom=" + Grammars.Address(random), " header.d=" + Grammars.Domain(random), " header.i=@" + Grammars.Domain(random), " (comment)"]);
            parts.Add($"{method}={result}{property}");
        }

        return (random.Chance(0.3) ? "Authentication-Results: " : "") + string.Join(random.Pick([";", "; ", ";\r\n "]), parts);
    }
}
