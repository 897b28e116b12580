using Clearinghouse.Domain;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Keys of providers' connection maps (IPs, CIDRs, HELO names) and recipient maps (addresses, domains).</summary>
public sealed class MapIdentifierTarget : TextFuzzTarget
{
    public override string Name => "map-identifier";

    public override string Description =>
        "MapIdentifier.TryParse and Parse (src/Domain/Maps/MapIdentifier.cs) for both maps. An accepted identifier's " +
        "value parses back to the same identifier, is normalised for its kind (a valid network for an IP prefix, a " +
        "normalised name or address otherwise), and names the domain it is under.";

    public override IReadOnlyList<string> Dictionary => ["/", ".", ":", "::", "*.", "@", "[", "]", "ffff:"];

    public override FuzzOutcome Execute(string text)
    {
        var outcome = FuzzOutcome.Rejected;
        foreach (var map in (MapKind[])[MapKind.Connection, MapKind.Recipient])
        {
            var accepted = MapIdentifier.TryParse(map, text, out var identifier, out var problem);
            DomainInvariants.CheckParseAgrees(accepted, problem, () => MapIdentifier.Parse(map, text, "identifier"), "identifier");
            if (accepted)
            {
                outcome = FuzzOutcome.Accepted;
                Check(map, identifier);
            }
        }

        return outcome;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "192.0.2.1", "192.0.2.0/24", "2001:db8::/32", "::ffff:192.0.2.1", "0.0.0.0/0", "::/0", "mail.example.com", "*.example.com",
        "postmaster@example.com", "example.com", "[192.0.2.1]", "10.0.0", "300.1.1.1",
    ];

    protected override string GenerateText(FuzzRandom random) => random.Next(4) switch
    {
        0 => Grammars.Cidr(random),
        1 => Grammars.Address(random),
        2 => "*." + Grammars.Domain(random),
        _ => Grammars.Domain(random),
    };

    private static void Check(MapKind map, MapIdentifier identifier)
    {
        InvariantViolation.Check(MapIdentifier.TryParse(map, identifier.Value, out var again, out var problem), $"the identifier {InputText.Quote(identifier.Value)} is refused when parsed again ({problem})");
        InvariantViolation.CheckEqual(identifier, again, "parsing an identifier's value again");
        switch (identifier.Kind)
        {
            case MapIdentifierKind.IpPrefix:
                InvariantViolation.CheckEqual(MapKind.Connection, map, "the map of an IP prefix");
                IpPrefixTarget.CheckPrefix(identifier.Prefix);
                InvariantViolation.CheckEqual(identifier.Prefix.ToString(), identifier.Value, "an IP prefix identifier's value");
                break;
            case MapIdentifierKind.RecipientAddress:
                InvariantViolation.Check(Address.TryParse(identifier.Value, out var address, out _), $"a recipient address identifier is not an address: {InputText.Quote(identifier.Value)}");
                DomainInvariants.CheckAddress(address);
                InvariantViolation.CheckEqual(address.Domain, identifier.Domain, "the domain of a recipient address identifier");
                break;
            case MapIdentifierKind.HeloSubdomains or MapIdentifierKind.RecipientSubdomains:
                InvariantViolation.Check(identifier.Value.StartsWith("*.", StringComparison.Ordinal), $"a subdomains identifier without '*.': {InputText.Quote(identifier.Value)}");
                DomainInvariants.CheckDomain(identifier.Domain);
                InvariantViolation.CheckEqual("*." + identifier.Domain, identifier.Value, "a subdomains identifier's value");
                break;
            default:
                DomainInvariants.CheckDomain(identifier.Value);
                InvariantViolation.CheckEqual(identifier.Value, identifier.Domain, "the domain of a name identifier");
                break;
        }

        InvariantViolation.Check(!identifier.Domain.StartsWith('[') || identifier.Kind == MapIdentifierKind.RecipientAddress, $"a map name is an address literal: {InputText.Quote(identifier.Value)}");
    }
}
