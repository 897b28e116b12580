using System.Globalization;
using System.Net;
using Clearinghouse.Api.V1;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using FilterChangeOp = Clearinghouse.Domain.FilterChangeOp;
using MapAction = Clearinghouse.Api.V1.MapAction;
using MapEntry = Clearinghouse.Api.V1.MapEntry;
using MapKind = Clearinghouse.Api.V1.MapKind;
using Clearinghouse.Gateway.Security;
using DnsClient;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using FilterEntryKind = Clearinghouse.Api.V1.FilterEntryKind;

namespace Clearinghouse.IntegrationTests.Dnsbl;

/// <summary>The DNS blocklist zones, queried with DnsClient.NET (another implementation than the server's), dig, and Postfix.</summary>
[Collection(PostfixEdgeCollection.Name)]
public class DnsblTests(PostfixEdgeFixture edge)
{
    private const string Ip = PostfixEdgeFixture.IpZone;
    private const string Dbl = PostfixEdgeFixture.DomainZone;
    private const string Hbl = PostfixEdgeFixture.AddressZone;

    [Fact]
    public async Task Listed_entries_answer_A_in_127_slash_8_and_TXT_with_the_reason_and_case()
    {
        var listing = await edge.ListAsync(FilterEntryKind.Ip, "198.51.100.0/24", "snowshoe range");
        await edge.ListAsync(FilterEntryKind.Domain, "spammy.dns.test", "bulk domain");

        var client = Client();
        var a = await client.QueryAsync($"7.100.51.198.{Ip}", QueryType.A);
        Assert.Equal("127.0.0.2", Assert.Single(a.Answers.ARecords()).Address.ToString());
        Assert.True(a.Header.HasAuthorityAnswer);
        var txt = Assert.Single((await client.QueryAsync($"7.100.51.198.{Ip}", QueryType.TXT)).Answers.TxtRecords());
        Assert.Equal($"Listed by Clearinghouse: snowshoe range (case {listing.CaseId})", string.Concat(txt.Text));

        Assert.Equal("127.0.1.2", Assert.Single((await client.QueryAsync($"mail.spammy.dns.test.{Dbl}", QueryType.A)).Answers.ARecords()).Address.ToString());
    }

    [Fact]
    public async Task Not_listed_is_NXDOMAIN_with_the_SOA_an_empty_non_terminal_is_NOERROR_and_other_names_are_REFUSED()
    {
        await edge.ListAsync(FilterEntryKind.Ip, "203.0.113.9", "one host");
        var client = Client();

        var missing = await client.QueryAsync($"10.113.0.203.{Ip}", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, missing.Header.ResponseCode);
        var soa = Assert.Single(missing.Authorities.SoaRecords());
        Assert.Equal($"{Ip}.", soa.DomainName.Value);

        var empty = await client.QueryAsync($"113.0.203.{Ip}", QueryType.A);
        Assert.Equal((DnsHeaderResponseCode.NoError, 0), (empty.Header.ResponseCode, empty.Answers.Count));

        var outside = await client.QueryAsync("www.example.org", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.Refused, outside.Header.ResponseCode);
        Assert.Empty(outside.Answers);

        var apex = await client.QueryAsync(Ip, QueryType.NS);
        Assert.Equal("ns.dnsbl.test.", Assert.Single(apex.Answers.NsRecords()).NSDName.Value);
        var serial = Assert.Single((await client.QueryAsync(Ip, QueryType.SOA)).Answers.SoaRecords()).Serial;
        Assert.True(serial > 0);
    }

    [Fact]
    public async Task RFC_5782_test_points_over_UDP_and_TCP()
    {
        foreach (var client in new[] { Client(), Client(tcp: true) })
        {
            Assert.Equal("127.0.0.2", Assert.Single((await client.QueryAsync($"2.0.0.127.{Ip}", QueryType.A)).Answers.ARecords()).Address.ToString());
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync($"1.0.0.127.{Ip}", QueryType.A)).Header.ResponseCode);
            Assert.Single((await client.QueryAsync($"TEST.{Dbl}", QueryType.A)).Answers.ARecords());
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync($"INVALID.{Dbl}", QueryType.A)).Header.ResponseCode);
        }
    }

    [Fact]
    public async Task A_change_to_the_list_is_answered_by_the_next_query()
    {
        var client = Client();
        for (var i = 0; i < 5; i++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"192.0.2.{100 + i}");
            var name = string.Create(CultureInfo.InvariantCulture, $"{100 + i}.2.0.192.{Ip}");
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync(name, QueryType.A)).Header.ResponseCode);
            await edge.ListAsync(FilterEntryKind.Ip, address);
            Assert.Single((await client.QueryAsync(name, QueryType.A)).Answers.ARecords());
            await edge.UnlistAsync(FilterEntryKind.Ip, address);
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync(name, QueryType.A)).Header.ResponseCode);
        }
    }

    [Fact]
    public async Task A_listed_sender_answers_by_SHA1_and_by_base32_SHA256_of_its_address()
    {
        var spammer = Address.Parse($"Spam-{Guid.NewGuid():n}@Bulk.dns.test", "sender");
        await edge.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IFilterList>(0)
            .Append(FilterChangeOp.Add, FilterEntry.ForAddress(spammer), "ignored do-not-send requests", "case-hbl");
        var sha1 = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(spammer.Value)));
        var base32 = HashedAddressForms.Sha256Base32FromHex(Sha256Hex.Of(spammer.Value));

        var client = Client();
        Assert.Equal("127.0.2.2", Assert.Single((await client.QueryAsync($"{sha1}.{Hbl}", QueryType.A)).Answers.ARecords()).Address.ToString());
        Assert.Equal("127.0.2.2", Assert.Single((await client.QueryAsync($"{base32}.{Hbl}", QueryType.A)).Answers.ARecords()).Address.ToString());
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync($"{new string('0', 40)}.{Hbl}", QueryType.A)).Header.ResponseCode);

        // The public feed carries the SHA-1 beside the SHA-256, so subscribers can build the same zone.
        var snapshot = await edge.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest());
        Assert.Contains(snapshot.Entries, e => e.Value == Sha256Hex.Of(spammer.Value) && e.AddressSha1 == sha1);
    }

    [Fact]
    public async Task Dig_sees_the_same_answers()
    {
        await edge.ListAsync(FilterEntryKind.Domain, "dig.dns.test", "seen by dig");
        var (_, listed) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+short", $"www.dig.dns.test.{Dbl}", "A");
        Assert.Equal("127.0.1.2", listed.Trim());
        var (_, text) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+short", $"www.dig.dns.test.{Dbl}", "TXT");
        Assert.Contains("seen by dig", text, StringComparison.Ordinal);
        var (_, missing) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+tcp", "+norecurse", $"nothing.dns.test.{Dbl}", "A");
        Assert.Contains("status: NXDOMAIN", missing, StringComparison.Ordinal);
        Assert.Contains("flags: qr aa", missing, StringComparison.Ordinal);
        var (_, refused) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "example.org", "A");
        Assert.Contains("status: REFUSED", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_over_512_octets_is_truncated_over_UDP_whole_over_TCP_and_within_the_EDNS_payload_size()
    {
        var reason = new string('x', 440);
        await edge.ListAsync(FilterEntryKind.Ip, "198.18.0.7", reason);
        var name = $"7.0.18.198.{Ip}";

        var (_, udp) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+ignore", "+noedns", "+norecurse", name, "TXT");
        Assert.Contains("flags: qr aa tc;", udp, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 0,", udp, StringComparison.Ordinal);

        // dig retries over TCP by itself; +tcp asks there first.
        var (_, tcp) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+tcp", "+short", name, "TXT");
        Assert.Contains(reason[..200], tcp, StringComparison.Ordinal);

        var (_, edns) = await PostfixServer.Run("/usr/bin/dig", $"@{edge.DnsAddress}", "+bufsize=1232", "+norecurse", name, "ANY");
        Assert.Contains("flags: qr aa;", edns, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 2,", edns, StringComparison.Ordinal);
        Assert.Contains("EDNS: version: 0, flags:; udp: 1232", edns, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postfix_reject_rbl_client_and_reject_rhsbl_sender_refuse_a_listed_client_and_sender()
    {
        await edge.ListAsync(FilterEntryKind.Ip, "127.0.0.33", "listed client");
        await edge.ListAsync(FilterEntryKind.Domain, "rhsbl.dns.test", "listed sender domain");
        var port = edge.Postfix.Port("dnsbl");
        var nina = $"nina-{Guid.NewGuid():n}@acme.example";

        var client = await Swaks.SendAsync(port, "ok@fine.dns.test", nina, clientAddress: "127.0.0.33");
        Assert.Contains($"554 5.7.1 Service unavailable; Client host [127.0.0.33] blocked using {Ip}; Listed by Clearinghouse: listed client", client.ReplyTo(nina), StringComparison.Ordinal);

        var sender = await Swaks.SendAsync(port, "someone@mail.rhsbl.dns.test", nina, clientAddress: "127.0.0.34");
        Assert.Contains($"554 5.7.1 Service unavailable; Sender address [someone@mail.rhsbl.dns.test] blocked using {Dbl}; Listed by Clearinghouse: listed sender domain", sender.ReplyTo(nina), StringComparison.Ordinal);

        Assert.StartsWith("<-  250 ", (await Swaks.SendAsync(port, "ok@fine.dns.test", nina, clientAddress: "127.0.0.34")).ReplyTo(nina), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConnection_over_gRPC_refuses_a_listed_client_IP_unless_the_providers_map_accepts_it()
    {
        var listing = await edge.ListAsync(FilterEntryKind.Ip, "203.0.113.64/26", "botnet");
        var verdict = await edge.Host.Connections().CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "203.0.113.70" });
        Assert.Equal((ConnectionAction.Reject, 554u, listing.CaseId, "203.0.113.64/26"), (verdict.Action, verdict.SmtpCode, verdict.ListedCaseId, verdict.MatchedIdentifier));

        await edge.Host.ProviderMaps().PutMapEntriesAsync(new PutMapEntriesRequest { Map = MapKind.Connection, Entries = { new MapEntry { Identifier = "203.0.113.70", Action = MapAction.Accept } } });
        var accepted = await edge.Host.Connections().CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "203.0.113.70" });
        Assert.Equal((ConnectionAction.Accept, ""), (accepted.Action, accepted.ListedCaseId));
        Assert.Equal(ConnectionAction.Reject, (await edge.Host.Connections().CheckConnectionAsync(new CheckConnectionRequest { ClientIp = "203.0.113.71" })).Action);
    }

    [Fact]
    public async Task ListEntry_refuses_bad_input_naming_the_field_and_changes_nothing()
    {
        var before = (await edge.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version;
        async Task Refused(string field, ListEntryRequest request)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await edge.Host.Operator().ListEntryAsync(request));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith(field + ": ", error.Status.Detail, StringComparison.Ordinal);
        }

        await Refused("kind", new ListEntryRequest { Kind = FilterEntryKind.AddressSha256, Value = "a@b.example" });
        await Refused("kind", new ListEntryRequest { Value = "192.0.2.1" });
        await Refused("value", new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "192.0.2.1/24" });
        await Refused("value", new ListEntryRequest { Kind = FilterEntryKind.Ip, Value = "not an ip" });
        await Refused("value", new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "bad domain!" });
        await Refused("reason", new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "fine.example", Reason = new string('r', 451) });
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await edge.Host.Operator(TestTenants.AcmeKey).ListEntryAsync(new ListEntryRequest { Kind = FilterEntryKind.Domain, Value = "fine.example" }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(before, (await edge.Host.FilterList().GetSnapshotAsync(new GetFilterListSnapshotRequest())).Version);
    }

    [Fact]
    public async Task With_access_keys_a_query_needs_a_providers_key_as_the_label_before_the_zone()
    {
        const string key = "k3y-for-acme-dnsbl";
        var address = string.Create(CultureInfo.InvariantCulture, $"127.54.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}");
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Dnsbl:Enabled"] = "true",
            ["Clearinghouse:Dnsbl:Address"] = address,
            ["Clearinghouse:Dnsbl:Port"] = "53",
            ["Clearinghouse:Dnsbl:IpZone"] = "zen.keyed.test",
            ["Clearinghouse:Dnsbl:RequireAccessKey"] = "true",
            ["Clearinghouse:Providers:acme:DnsblKeySha256:0"] = CallerDirectory.HashKey(key),
        });
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Parse(address), 53)) { UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(5), ThrowDnsErrors = false });
        Assert.Equal("127.0.0.2", Assert.Single((await client.QueryAsync($"2.0.0.127.{key}.zen.keyed.test", QueryType.A)).Answers.ARecords()).Address.ToString());
        Assert.Equal(DnsHeaderResponseCode.Refused, (await client.QueryAsync("2.0.0.127.wrong-key.zen.keyed.test", QueryType.A)).Header.ResponseCode);
        Assert.Equal(DnsHeaderResponseCode.Refused, (await client.QueryAsync("2.0.0.127.zen.keyed.test", QueryType.A)).Header.ResponseCode);
        Assert.Equal((DnsHeaderResponseCode.NoError, 0), ((await client.QueryAsync($"{key}.zen.keyed.test", QueryType.A)).Header.ResponseCode, (await client.QueryAsync($"{key}.zen.keyed.test", QueryType.A)).Answers.Count));
    }

    private LookupClient Client(bool tcp = false) =>
        new(new LookupClientOptions(new NameServer(IPAddress.Parse(edge.DnsAddress), 53))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(5),
            UseTcpOnly = tcp,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
        });
}
