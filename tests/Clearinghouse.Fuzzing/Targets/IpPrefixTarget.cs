using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>IP addresses and CIDRs: clients' IPs in checks, connection map entries, SPF's ip4/ip6 networks.</summary>
public sealed class IpPrefixTarget : TextFuzzTarget
{
    public override string Name => "ip-prefix";

    public override string Description =>
        "IpPrefix.TryParse and TryParseAddress (src/Domain/Maps/IpPrefix.cs) and ProtoMapping.ToClientIp. An accepted " +
        "address is written in full, in digits and separators only (no brackets, port or zone), a dotted quad means the " +
        "decimal numbers written, and it prints back to itself; an accepted prefix is a network (no bits beyond its " +
        "length) that contains itself and parses back to itself.";

    public override IReadOnlyList<string> Dictionary => [".", ":", "::", "/", "ffff:", "%", "[", "]", "0x", "0"];

    public override FuzzOutcome Execute(string text)
    {
        var outcome = FuzzOutcome.Rejected;
        var acceptedAddress = IpPrefix.TryParseAddress(text, out var address, out var problem);
        if (acceptedAddress)
        {
            outcome = FuzzOutcome.Accepted;
            CheckAddress(text.Trim(), address);
        }

        DomainInvariants.CheckParseAgrees(acceptedAddress, problem, () => ProtoMapping.ToClientIp(text, required: true), "client_ip");
        if (!string.IsNullOrWhiteSpace(text))
        {
            DomainInvariants.CheckParseAgrees(acceptedAddress, problem, () => ProtoMapping.ToClientIp(text, required: false), "client_ip");
        }
        else
        {
            InvariantViolation.Check(ProtoMapping.ToClientIp(text, required: false) is null, "an optional empty client IP is not null");
        }

        if (IpPrefix.TryParse(text, out var prefix, out problem))
        {
            outcome = FuzzOutcome.Accepted;
            var written = text.Trim();
            var slash = written.IndexOf('/');
            CheckAddress(slash < 0 ? written : written[..slash].Trim(), prefix.Network);
            CheckPrefix(prefix);
        }
        else
        {
            InvariantViolation.Check(problem.Length > 0, "a refusal without a problem");
        }

        return outcome;
    }

    /// <summary>A network: no bits beyond its length, contains itself, prints and parses back to itself.</summary>
    public static void CheckPrefix(IpPrefix prefix)
    {
        InvariantViolation.Check(prefix.Length >= 0 && prefix.Length <= prefix.MaxLength, $"prefix length {prefix.Length} of {prefix}");
        InvariantViolation.CheckEqual(prefix.Network, IpPrefix.Mask(prefix.Network, prefix.Length), $"the network of {prefix} masked to its length");
        InvariantViolation.Check(prefix.Contains(prefix.Network), $"{prefix} does not contain its own network");
        InvariantViolation.Check(!prefix.Network.IsIPv4MappedToIPv6, $"{prefix} is an IPv4-mapped IPv6 network, not the IPv4 network it stands for");
        InvariantViolation.Check(IpPrefix.TryParse(prefix.ToString(), out var again, out var problem), $"{prefix} is refused when parsed again ({problem})");
        InvariantViolation.CheckEqual(prefix, again, "parsing a prefix's written form again");
    }

    protected override IEnumerable<string> SeedTexts() =>
    [
        "192.0.2.1", "192.0.2.0/24", "0.0.0.0/0", "255.255.255.255/32", "2001:db8::/32", "::1", "::/0", "::ffff:192.0.2.1",
        "fe80::1", "2001:db8::1/128", "192.0.2.1/33", "10.1", "[::1]", "fe80::1%eth0",
    ];

    protected override string GenerateText(FuzzRandom random) => random.Chance(0.5) ? Grammars.Cidr(random) : Grammars.IpAddress(random);

    // The written address is plain text in digits and separators, and a dotted quad says the bytes in decimal.
    private static void CheckAddress(string written, IPAddress address)
    {
        var isV6 = written.Contains(':');
        InvariantViolation.Check(
            written.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.') && (isV6 || written.All(c => char.IsAsciiDigit(c) || c == '.')),
            $"{InputText.Quote(written)} is accepted as the IP address {address}, but is not an address written in full");
        var dottedQuad = isV6 ? written[(written.LastIndexOf(':') + 1)..] : written;
        if (dottedQuad.Contains('.'))
        {
            var bytes = address.GetAddressBytes();
            var decimals = dottedQuad.Split('.').Select(part => int.TryParse(part, out var value) ? value : -1).ToArray();
            InvariantViolation.Check(
                decimals.Length == 4 && decimals.SequenceEqual(bytes[^4..].Select(b => (int)b)),
                $"{InputText.Quote(written)} is accepted as the IP address {address}, which is not the decimal numbers written");
        }

        InvariantViolation.Check(address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6, $"{address} is not IPv4 or IPv6");
        InvariantViolation.Check(!address.IsIPv4MappedToIPv6, $"{InputText.Quote(written)} is accepted as the IPv4-mapped address {address}, not the IPv4 address it stands for");
        InvariantViolation.CheckEqual(0L, address.AddressFamily == AddressFamily.InterNetworkV6 ? address.ScopeId : 0L, "the scope (zone) of an accepted address");
        InvariantViolation.Check(IpPrefix.TryParseAddress(address.ToString(), out var again, out _) && again.Equals(address), $"{address} does not parse back to itself");
    }
}
