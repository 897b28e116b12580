using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Domain;

/// <summary>Lower-case hex SHA-256 of a string's UTF-8 bytes: how addresses are published and counted without being shown.</summary>
public static class Sha256Hex
{
    public const int Length = SHA256.HashSizeInBytes * 2;

    public static string Of(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(text, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Hashes without allocating for short inputs (addresses are at most 254 characters).</summary>
    public static void Hash(ReadOnlySpan<char> text, Span<byte> hash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> utf8 = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, utf8);
        SHA256.HashData(utf8[..length], hash);
    }

    public static bool IsValid(string? text) =>
        text is { Length: Length } && text.All(char.IsAsciiHexDigit);
}
