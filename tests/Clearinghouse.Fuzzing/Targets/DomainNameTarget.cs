using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Domain names and address literals, as address domains and as the HELO name of a check.</summary>
public sealed class DomainNameTarget : TextFuzzTarget
{
    public override string Name => "domain-name";

    public override string Description =>
        "DomainName.TryNormalize (src/Domain/Addresses/DomainName.cs) and ProtoMapping.ToHelo. A normalised name has " +
        "lower-case LDH labels of 1-63 characters, at most 255 in all (or is an address literal), normalises to itself, " +
        "and walks up its parents; ToHelo refuses exactly what TryNormalize refuses.";

    public override IReadOnlyList<string> Dictionary => [".", "..", "-", "xn--", "[", "]", "IPv6:", "。", "localhost"];

    public override FuzzOutcome Execute(string text)
    {
        var accepted = DomainName.TryNormalize(text, out var domain, out var problem);
        if (accepted)
        {
            DomainInvariants.CheckDomain(domain);
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            DomainInvariants.CheckParseAgrees(accepted, problem, () => ProtoMapping.ToHelo(text), "helo");
            if (accepted)
            {
                InvariantViolation.CheckEqual(domain, ProtoMapping.ToHelo(text), "the HELO name of a check");
            }
        }

        return accepted ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "example.com", "Mail.Example.COM.", "bücher.example", "xn--bcher-kva.example", "[192.0.2.1]", "[IPv6:2001:db8::1]",
        "localhost", "a", string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61), "例え.テスト",
    ];

    protected override string GenerateText(FuzzRandom random) => Grammars.Domain(random);
}
