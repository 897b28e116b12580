using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Domain;

/// <summary>
/// The forms a listed address takes in a DNS query name, where a label holds at most 63 octets and the published
/// hex SHA-256 (64) does not fit: the hex SHA-1 of the normalised address (40; what Spamhaus's HBL rules, rspamd's
/// <c>hash = "sha1"</c> and SpamAssassin's HashBL <c>sha1</c> option query) and the SHA-256 in lower-case RFC 4648
/// base32 without padding (52; SpamAssassin's HashBL <c>sha256</c> option), which every address entry has since it
/// is derived from the published hash.
/// </summary>
public static class HashedAddressForms
{
    public const int Sha1HexLength = SHA1.HashSizeInBytes * 2;
    public const int Sha256Base32Length = 52;

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Sha1Hex(Address address)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.UTF8.GetBytes(address.Value), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The base32 form of a SHA-256 given in hex (as the filter list publishes it).</summary>
    public static string Sha256Base32FromHex(string sha256Hex) => Base32(Convert.FromHexString(sha256Hex));

    /// <summary>Lower-case RFC 4648 base32 without padding; the last group is filled with zero bits.</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        var output = new char[((data.Length * 8) + 4) / 5];
        int buffer = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                output[o++] = Base32Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            output[o] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(output);
    }

    /// <summary>Decodes lower- or upper-case base32 as <see cref="Base32"/> writes it; false for anything else.</summary>
    public static bool TryDecodeBase32(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var value = c switch
            {
                >= 'a' and <= 'z' => c - 'a',
                >= 'A' and <= 'Z' => c - 'A',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }

            buffer = ((buffer << 5) | value) & 0xffff;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                if (written == destination.Length)
                {
                    return false;
                }

                destination[written++] = (byte)(buffer >> bits);
            }
        }

        // What is left must be padding: fewer than 5 bits, all zero.
        return bits < 5 && (buffer & ((1 << bits) - 1)) == 0;
    }
}
