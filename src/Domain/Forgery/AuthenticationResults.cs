namespace Clearinghouse.Domain;

/// <summary>A DKIM result as an Authentication-Results header gives it (RFC 8601 section 2.7.1).</summary>
public enum DkimResult
{
    /// <summary>Not checked, or the message was not signed.</summary>
    None = 0,
    Pass = 1,
    Fail = 2,
    Policy = 3,
    Neutral = 4,
    TempError = 5,
    PermError = 6,
}

/// <summary>A DMARC result (RFC 7489 section 11.2).</summary>
public enum DmarcResult
{
    /// <summary>Not checked, or the domain publishes no DMARC record.</summary>
    None = 0,
    Pass = 1,
    Fail = 2,
    TempError = 3,
    PermError = 4,
}

/// <summary>
/// What the provider's MTA (or the verdict path) found when it authenticated a message's sender: SPF for the envelope
/// sender, DKIM with the signing domain (<c>header.d</c>), and DMARC. Unknown parts are <c>None</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuthenticationResults(
    [property: Id(0)] SpfResult Spf,
    [property: Id(1)] DkimResult Dkim,
    [property: Id(2)] string DkimDomain,
    [property: Id(3)] DmarcResult Dmarc)
{
    public static readonly AuthenticationResults Unknown = new(SpfResult.None, DkimResult.None, "", DmarcResult.None);

    public bool IsUnknown => Spf == SpfResult.None && Dkim == DkimResult.None && Dmarc == DmarcResult.None;
}

/// <summary>How a violation's sender was authenticated: a report counts toward listing unless it is forged.</summary>
public enum SenderAuthentication
{
    /// <summary>No authentication result says either way (also every report stored before results were carried).</summary>
    Unverified = 0,

    /// <summary>SPF pass, DKIM pass by the sender's domain, or DMARC pass.</summary>
    Verified = 1,

    /// <summary>SPF fail or softfail, or DMARC fail: the sender's domain did not send it.</summary>
    Forged = 2,
}

/// <summary>Reports by how their sender was authenticated.</summary>
[GenerateSerializer, Immutable]
public sealed record AuthenticationCounts(
    [property: Id(0)] long Verified,
    [property: Id(1)] long Unverified,
    [property: Id(2)] long Forged)
{
    public static readonly AuthenticationCounts None = new(0, 0, 0);
}
