using Clearinghouse.Gateway.Security;

namespace Clearinghouse.UnitTests.Security;

/// <summary>Console passwords kept only as PBKDF2 hashes (ASP.NET Core Identity's version 3 format).</summary>
public class ConsolePasswordsTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_refuses_any_other()
    {
        var hash = ConsolePasswords.Hash("correct horse battery staple");
        Assert.True(ConsolePasswords.Verify(hash, "correct horse battery staple"));
        Assert.False(ConsolePasswords.Verify(hash, "correct horse battery stapl"));
        Assert.False(ConsolePasswords.Verify(hash, "Correct horse battery staple"));
        Assert.False(ConsolePasswords.Verify(hash, ""));
        Assert.DoesNotContain("correct", hash, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Each_hash_has_its_own_salt()
    {
        Assert.NotEqual(ConsolePasswords.Hash("same password"), ConsolePasswords.Hash("same password"));
    }

    [Fact]
    public void The_hash_is_PBKDF2_with_HMAC_SHA512_100000_iterations_and_a_128_bit_salt()
    {
        var bytes = Convert.FromBase64String(ConsolePasswords.Hash("x"));

        // Version 3: a 0x01 marker, then big-endian PRF (2 = HMAC-SHA512), iteration count and salt length.
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, BigEndian(bytes, 1));
        Assert.Equal(100_000u, BigEndian(bytes, 5));
        Assert.Equal(16u, BigEndian(bytes, 9));
        Assert.Equal(13 + 16 + 32, bytes.Length);
    }

    [Fact]
    public void Only_the_form_of_a_hash_is_taken_for_one()
    {
        Assert.True(ConsolePasswords.IsHash(ConsolePasswords.Hash("x")));
        Assert.False(ConsolePasswords.IsHash("the password itself"));
        Assert.False(ConsolePasswords.IsHash(""));
        Assert.False(ConsolePasswords.IsHash(Convert.ToBase64String(new byte[12])));

        // Identity's version 2 format (PBKDF2 with SHA-1, 1,000 iterations) starts 0x00: not accepted.
        var version2 = Convert.FromBase64String(ConsolePasswords.Hash("x"));
        version2[0] = 0x00;
        Assert.False(ConsolePasswords.IsHash(Convert.ToBase64String(version2)));
    }

    [Fact]
    public void A_hash_damaged_in_its_subkey_verifies_nothing()
    {
        var bytes = Convert.FromBase64String(ConsolePasswords.Hash("secret"));
        bytes[^1] ^= 0xff;
        Assert.False(ConsolePasswords.Verify(Convert.ToBase64String(bytes), "secret"));
    }

    private static uint BigEndian(byte[] bytes, int offset) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset, 4));
}
