using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Domain;

/// <summary>
/// The grain key of a recipient: a keyed hash (HMAC-SHA256 with a secret every silo shares) of its normalised
/// address, never the address itself. Orleans writes grain ids into its logs, traces (<c>rpc.orleans.target_id</c>),
/// error messages and Redis key names; keying by this hash keeps recipient addresses out of all of them, and
/// without the secret a reader cannot confirm a guessed address either.
/// The secret must never change once state is stored: the state of every recipient is found by its key.
/// </summary>
public sealed class RecipientKeys
{
    /// <summary>Every key starts with this (the hash's version), so a key is recognisable and the scheme can change.</summary>
    public const string Prefix = "r1:";

    /// <summary>The configuration key of the secret (at least 16 characters; the same on every silo, forever).</summary>
    public const string SecretSetting = "Clearinghouse:Privacy:RecipientKeySecret";

    public const int MinSecretLength = 16;

    private static readonly System.Buffers.SearchValues<char> Base64UrlCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly byte[] secret;

    public RecipientKeys(string secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength)
        {
            throw new ArgumentException($"the recipient key secret must have at least {MinSecretLength} characters", nameof(secret));
        }

        this.secret = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The grain key for <paramref name="recipient"/>: "r1:" and 43 base64url characters.</summary>
    public string For(Address recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Address.MaxAddressLength)];
        var length = Encoding.UTF8.GetBytes(recipient.Value, utf8);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, utf8[..length], hash);
        return string.Concat(Prefix, System.Buffers.Text.Base64Url.EncodeToString(hash));
    }

    /// <summary>Whether <paramref name="key"/> has the form of a recipient key (and so is not an address).</summary>
    public static bool IsKey(string key) =>
        key.Length == Prefix.Length + 43
        && key.StartsWith(Prefix, StringComparison.Ordinal)
        && key.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64UrlCharacters) < 0;
}
