using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Clearinghouse.Domain;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// The filter list as rbldnsd data files, for providers who serve the zones from their own DNS servers: the same
/// names, A values and TXT texts as this gateway's zones (test points included). One file per dataset:
/// <c>ip4.rbldnsd</c> (<c>ip4trie</c>), <c>ip6.rbldnsd</c> (<c>ip6trie</c>), <c>domains.rbldnsd</c> (<c>dnset</c>,
/// <c>.domain</c> = the domain and its subdomains) and <c>addresses.rbldnsd</c> (<c>dnset</c>, each address by hex
/// SHA-1 when known and by base32 SHA-256). Run e.g.
/// <c>rbldnsd -b 127.0.0.1/53 ip.zone:ip4trie:ip4.rbldnsd ip.zone:ip6trie:ip6.rbldnsd dbl.zone:dnset:domains.rbldnsd hbl.zone:dnset:addresses.rbldnsd</c>.
/// </summary>
public static class RbldnsdExport
{
    public static readonly IReadOnlyList<string> FileNames = ["ip4.rbldnsd", "ip6.rbldnsd", "domains.rbldnsd", "addresses.rbldnsd"];

    /// <summary>Writes the four files into <paramref name="directory"/>, each replaced atomically (rbldnsd reloads changed files).</summary>
    public static void WriteFiles(string directory, IReadOnlyCollection<FilterChange> listed, long version, DnsblOptions options)
    {
        Directory.CreateDirectory(directory);
        var contents = Render(listed, version, options);
        foreach (var (name, text) in contents)
        {
            var path = Path.Combine(directory, name);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, text, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
    }

    /// <summary>The four files' names and contents.</summary>
    public static IReadOnlyList<(string Name, string Text)> Render(IReadOnlyCollection<FilterChange> listed, long version, DnsblOptions options)
    {
        var header = Header(version, options);
        var testPoint = DnsblText.For(DnsblResponder.TestListing);
        var ip4 = new StringBuilder(header).Append(Entry("127.0.0.2", DnsblResponder.IpCode, testPoint));
        var ip6 = new StringBuilder(header).Append(Entry("::ffff:127.0.0.2", DnsblResponder.IpCode, testPoint));
        var domains = new StringBuilder(header).Append(Entry("test", DnsblResponder.DomainCode, testPoint));
        var addresses = new StringBuilder(header);
        foreach (var change in listed.OrderBy(c => c.Version))
        {
            var text = DnsblText.For(new FilterListing(change.Entry, change.CaseId, change.Reason));
            switch (change.Entry.Kind)
            {
                case FilterEntryKind.Ip when IpPrefix.TryParse(change.Entry.Value, out var network, out _):
                    (network.Network.AddressFamily == AddressFamily.InterNetwork ? ip4 : ip6)
                        .Append(Entry(network.ToString(), DnsblResponder.IpCode, text));
                    break;
                case FilterEntryKind.Domain:
                    domains.Append(Entry("." + change.Entry.Value, DnsblResponder.DomainCode, text));
                    break;
                case FilterEntryKind.AddressSha256:
                    if (change.Entry.AddressSha1 is { } sha1)
                    {
                        addresses.Append(Entry(sha1, DnsblResponder.AddressCode, text));
                    }

                    addresses.Append(Entry(HashedAddressForms.Sha256Base32FromHex(change.Entry.Value), DnsblResponder.AddressCode, text));
                    break;
            }
        }

        return [(FileNames[0], ip4.ToString()), (FileNames[1], ip6.ToString()), (FileNames[2], domains.ToString()), (FileNames[3], addresses.ToString())];
    }

    private static string Header(long version, DnsblOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"# Clearinghouse filter list, version {version}\n$SOA {(int)options.Ttl.TotalSeconds} {options.NameServer}. {options.Hostmaster}. {version & uint.MaxValue} 3600 600 604800 {(int)options.NegativeTtl.TotalSeconds}\n$NS {(int)options.Ttl.TotalSeconds} {options.NameServer}.\n$TTL {(int)options.Ttl.TotalSeconds}\n");

    // rbldnsd replaces '$' in a TXT template with the queried name; the texts are printable ASCII otherwise.
    private static string Entry(string name, System.Net.IPAddress code, string text) =>
        $"{name} :{code}:{text.Replace('$', '?')}\n";
}
