namespace Clearinghouse.Domain;

/// <summary>The result of an SPF check (RFC 7208 section 2.6).</summary>
public enum SpfResult
{
    /// <summary>No SPF record, or no domain to check.</summary>
    None = 0,
    Neutral = 1,
    Pass = 2,
    Fail = 3,
    SoftFail = 4,

    /// <summary>A transient DNS error (server unreachable, SERVFAIL): the answer may differ later.</summary>
    TempError = 5,

    /// <summary>The domain's SPF record cannot be interpreted (syntax, too many lookups).</summary>
    PermError = 6,
}

/// <summary>How a sender's claimed domain was found to be authorised for the connecting IP.</summary>
public enum VerificationMethod
{
    /// <summary>Not verified: no client IP, SPF did not pass and reverse DNS did not confirm the domain.</summary>
    None = 0,

    /// <summary>SPF pass for the connecting IP.</summary>
    Spf = 1,

    /// <summary>Forward-confirmed reverse DNS: a PTR name of the IP, under the claimed domain, resolves back to the IP.</summary>
    ForwardConfirmedReverseDns = 2,

    /// <summary>An instant message: the IM service authenticated the handle; SPF does not apply.</summary>
    ImService = 3,
}

/// <summary>
/// Whether the sender's claimed domain is authorised for the connecting IP. Domain-, subdomain- and TLD-level allow
/// records apply, and bounce notices are sent, only when <see cref="IsVerified"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SenderVerification(
    [property: Id(0)] VerificationMethod Method,
    [property: Id(1)] SpfResult Spf)
{
    public static readonly SenderVerification Unverified = new(VerificationMethod.None, SpfResult.None);

    public static readonly SenderVerification ByImService = new(VerificationMethod.ImService, SpfResult.None);

    public bool IsVerified => Method != VerificationMethod.None;
}
