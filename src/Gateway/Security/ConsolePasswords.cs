using Microsoft.AspNetCore.Identity;

namespace Clearinghouse.Gateway.Security;

/// <summary>
/// Operators' console passwords, kept only as hashes: ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>
/// format (PBKDF2 with HMAC-SHA512, a random 128-bit salt, 100,000 iterations), verified in constant time.
/// </summary>
public static class ConsolePasswords
{
    private static readonly PasswordHasher<string> Hasher = new();

    // Identity's version 3 format: a 0x01 marker, the PRF, iteration count and salt length, the salt, the subkey.
    private const int MinimumHashBytes = 1 + 4 + 4 + 4 + 16 + 32;

    public static string Hash(string password) => Hasher.HashPassword("", password);

    public static bool Verify(string hash, string password) =>
        Hasher.VerifyHashedPassword("", hash, password) is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;

    /// <summary>True when <paramref name="text"/> has the form of a hash <see cref="Hash"/> makes.</summary>
    public static bool IsHash(string text)
    {
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var length) && length >= MinimumHashBytes && bytes[0] == 0x01;
    }
}
