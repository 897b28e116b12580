using System.Net;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Maps;

namespace Clearinghouse.UnitTests.Maps;

public class PrefixTableTests
{
    [Fact]
    public void The_longest_matching_prefix_wins_for_IPv4_and_IPv6()
    {
        var table = Table("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/32", "::/0", "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::1/128");
        Assert.Equal("10.1.2.3/32", Match(table, "10.1.2.3"));
        Assert.Equal("10.1.0.0/16", Match(table, "10.1.2.4"));
        Assert.Equal("10.0.0.0/8", Match(table, "10.2.0.1"));
        Assert.Equal("0.0.0.0/0", Match(table, "192.0.2.1"));
        Assert.Equal("2001:db8:1::1/128", Match(table, "2001:db8:1::1"));
        Assert.Equal("2001:db8:1::/48", Match(table, "2001:db8:1:ffff::1"));
        Assert.Equal("2001:db8::/32", Match(table, "2001:db8:2::1"));
        Assert.Equal("::/0", Match(table, "2001:db9::1"));
    }

    [Fact]
    public void A_family_without_prefixes_matches_nothing()
    {
        var table = Table("10.0.0.0/8");
        Assert.Null(Match(table, "2001:db8::1"));
        Assert.Null(Match(table, "11.0.0.1"));
    }

    [Fact]
    public void With_a_hundred_thousand_random_prefixes_it_agrees_with_a_linear_scan()
    {
        var random = new Random(7);
        var prefixes = new List<IpPrefix>();
        for (var i = 0; i < 100_000; i++)
        {
            prefixes.Add(RandomNetworks.Prefix(random, v6: i % 4 == 0));
        }

        var table = new PrefixTable<string>(prefixes.Select(p => (p, p.ToString())));
        var byFamily = prefixes.ToLookup(p => p.Network.AddressFamily);
        for (var i = 0; i < 2_000; i++)
        {
            // Half the probes inside a known prefix, half anywhere.
            var inside = prefixes[random.Next(prefixes.Count)];
            var probe = i % 2 == 0 ? RandomNetworks.Within(inside, random) : RandomNetworks.Address(random, v6: i % 4 == 1);
            var expected = byFamily[probe.AddressFamily].Where(p => p.Contains(probe)).OrderByDescending(p => p.Length).FirstOrDefault();
            var found = table.TryMatch(probe, out var value, out var length);
            Assert.Equal(expected != default, found);
            if (found)
            {
                // Equal networks may repeat in random data; the longest length is what must agree.
                Assert.Equal(expected.Length, length);
                Assert.True(IpPrefix.TryParse(value, out var matched, out _) && matched.Contains(probe));
            }
        }
    }

    private static PrefixTable<string> Table(params string[] prefixes) =>
        new(prefixes.Select(p => (IpPrefix.TryParse(p, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem), p)));

    private static string? Match(PrefixTable<string> table, string ip) =>
        table.TryMatch(IPAddress.Parse(ip), out var value, out _) ? value : null;
}

public class MapIdentifierTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1/32", MapIdentifierKind.IpPrefix)]
    [InlineData(" 192.0.2.0/24 ", "192.0.2.0/24", MapIdentifierKind.IpPrefix)]
    [InlineData("2001:DB8::/32", "2001:db8::/32", MapIdentifierKind.IpPrefix)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", MapIdentifierKind.IpPrefix)]
    [InlineData("Mail.Example.COM.", "mail.example.com", MapIdentifierKind.HeloName)]
    [InlineData("*.example.com", "*.example.com", MapIdentifierKind.HeloSubdomains)]
    public void Connection_identifiers_are_normalised(string input, string normalised, MapIdentifierKind kind)
    {
        var identifier = MapIdentifier.Parse(MapKind.Connection, input, "identifier");
        Assert.Equal((normalised, kind), (identifier.Value, identifier.Kind));
    }

    [Theory]
    [InlineData("192.0.2.0/33", "out of range 0-32")]
    [InlineData("192.0.2.0/-1", "not a valid CIDR")]
    [InlineData("2001:db8::/200", "out of range 0-128")]
    [InlineData("192.0.2.1/24", "bits set beyond the prefix length; the network is 192.0.2.0/24")]
    [InlineData("192.0.2", "not a valid IP address or CIDR")]
    [InlineData("fe80::1%eth0", "not a valid IP address or CIDR")]
    [InlineData("[192.0.2.1]", "address literal")]
    [InlineData("a.*.example", "wildcard")]
    public void Malformed_connection_identifiers_are_refused_with_the_reason(string input, string problem)
    {
        var error = Assert.Throws<InvalidFieldException>(() => MapIdentifier.Parse(MapKind.Connection, input, "identifier"));
        Assert.Equal("identifier", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void The_connection_map_decides_by_ip_first_then_helo_name_then_helo_domain()
    {
        var now = DateTimeOffset.UnixEpoch;
        var map = new ConnectionMap(
        [
            new MapEntry("198.51.100.0/24", MapAction.Accept, "", now),
            new MapEntry("bad.example", MapAction.Reject, "", now),
            new MapEntry("*.example", MapAction.Accept, "", now),
            new MapEntry("*.spam.example", MapAction.Reject, "", now),
        ]);
        Assert.Equal(ConnectionMatchKind.Ip, map.Match(IPAddress.Parse("198.51.100.1"), "bad.example").Kind);
        Assert.Equal("bad.example", map.Match(IPAddress.Parse("192.0.2.1"), "bad.example").Entry?.Identifier);
        Assert.Equal("*.spam.example", map.Match(IPAddress.Parse("192.0.2.1"), "a.b.spam.example").Entry?.Identifier);
        Assert.Equal("*.example", map.Match(IPAddress.Parse("192.0.2.1"), "ok.example").Entry?.Identifier);
        Assert.Null(map.Match(IPAddress.Parse("192.0.2.1"), "example").Entry);
        Assert.Null(map.Match(IPAddress.Parse("192.0.2.1"), null).Entry);
    }
}
