using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Verification;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>SPF records as DNS publishes them (TXT), parsed and evaluated for a check.</summary>
public sealed class SpfRecordTarget : TextFuzzTarget
{
    // RFC 7208 section 4.6.4: at most 10 terms that query DNS, each at most 1 + 10 (MX or PTR names) queries, plus the first TXT.
    private const int MaxQueries = 1 + (SpfEvaluator.MaxDnsTerms * (1 + SpfEvaluator.MaxNamesPerMechanism));

    private static readonly IPAddress[] Clients = [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1"), IPAddress.Parse("198.51.100.7")];

    public override string Name => "spf-record";

    public override string Description =>
        "SpfRecord.TryParse (src/Gateway/Verification/SpfRecord.cs) and SpfEvaluator.CheckHostAsync against a made-up DNS " +
        "in which the sender's domain publishes the input. A parsed record's mechanisms hold valid networks, prefix " +
        "lengths and macro-strings; evaluation never throws, gives permerror for a record that does not parse, and " +
        "stays within RFC 7208's DNS lookup limits.";

    /// <summary>A TXT record's strings are concatenated; real records stay under a few hundred characters.</summary>
    public override int MaxInputBytes => 2048;

    public override IReadOnlyList<string> Dictionary =>
        ["v=spf1", " ", "all", "-all", "~all", "?all", "+", "include:", "a", "a:", "mx", "mx:", "ptr", "ptr:", "ip4:", "ip6:", "exists:", "redirect=", "exp=", "/", "//", "%{", "}", "%{d}", "%{i}", "%{ir}", "%{l1r-}", "%%", "%_", "%-"];

    public override FuzzOutcome Execute(string text)
    {
        var parsed = SpfRecord.TryParse(text, out var record, out var problem);
        if (parsed)
        {
            CheckMechanisms(record);
        }
        else
        {
            InvariantViolation.Check(problem.Length > 0, "a refusal without a problem");
        }

        var dns = new ZoneDns(text);
        var client = Clients[text.Length % Clients.Length];
        var check = new SpfEvaluator(dns).CheckHostAsync(client, ZoneDns.Domain, "user.name", "mail." + ZoneDns.Domain).GetAwaiter().GetResult();
        InvariantViolation.Check(Enum.IsDefined(check.Result), $"SPF result {(int)check.Result} is not a result");
        InvariantViolation.Check(check.Ttl >= TimeSpan.Zero, $"a negative TTL {check.Ttl}");
        InvariantViolation.Check(dns.Queries <= MaxQueries, $"evaluation made {dns.Queries} DNS queries, more than RFC 7208 allows ({MaxQueries})");
        if (SpfRecord.IsSpfRecord(text) && !parsed)
        {
            InvariantViolation.CheckEqual(SpfResult.PermError, check.Result, "the result of a record that does not parse");
        }

        return parsed ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "v=spf1 -all", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all", "v=spf1 a mx -all", "v=spf1 a:mail.%{d}/24//64 mx:%{o}/28 ?all",
        "v=spf1 include:_spf.example.org include:" + ZoneDns.Domain + " -all", "v=spf1 ptr:%{d} exists:%{ir}.%{l1r-}.%{d2} -all",
        "v=spf1 redirect=_spf.%{d}", "v=spf1 exp=explain.%{d} -all", "v=spf1 +all foo=bar", "v=spf1", "v=spf10", "V=SPF1 ALL",
    ];

    protected override string GenerateText(FuzzRandom random) => Grammars.SpfRecord(random);

    private static void CheckMechanisms(SpfRecord record)
    {
        foreach (var mechanism in record.Mechanisms)
        {
            InvariantViolation.Check(Enum.IsDefined(mechanism.Qualifier) && Enum.IsDefined(mechanism.Kind), $"{mechanism} has an undefined qualifier or kind");
            InvariantViolation.Check(mechanism.Ip4PrefixLength is >= 0 and <= 32 && mechanism.Ip6PrefixLength is >= 0 and <= 128, $"{mechanism} has a CIDR length out of range");
            InvariantViolation.Check(mechanism.DomainSpec is null || (mechanism.DomainSpec.Length > 0 && SpfMacro.IsValidMacroString(mechanism.DomainSpec)), $"{mechanism} has an invalid domain-spec");
            switch (mechanism.Kind)
            {
                case SpfMechanismKind.Ip4:
                    InvariantViolation.Check(mechanism.Network?.AddressFamily == AddressFamily.InterNetwork, $"{mechanism} is not an IPv4 network");
                    break;
                case SpfMechanismKind.Ip6:
                    InvariantViolation.Check(mechanism.Network?.AddressFamily == AddressFamily.InterNetworkV6, $"{mechanism} is not an IPv6 network");
                    break;
                case SpfMechanismKind.Include or SpfMechanismKind.Exists:
                    InvariantViolation.Check(mechanism.DomainSpec is not null, $"{mechanism} has no domain-spec");
                    break;
                default:
                    InvariantViolation.Check(mechanism.Network is null, $"{mechanism} has a network");
                    break;
            }
        }

        foreach (var modifier in (string?[])[record.Redirect, record.Explanation])
        {
            InvariantViolation.Check(modifier is null || (modifier.Length > 0 && SpfMacro.IsValidMacroString(modifier)), $"a modifier has an invalid domain-spec {InputText.Quote(modifier)}");
        }
    }
}
