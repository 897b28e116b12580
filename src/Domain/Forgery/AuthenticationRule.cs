namespace Clearinghouse.Domain;

/// <summary>
/// Decides whether a violation's sender was verified, forged or neither, from the authentication results seen:
/// <list type="number">
/// <item>DMARC decides when it gave a verdict: pass is verified, fail is forged (DMARC already combines SPF and DKIM with
/// alignment to the sender's domain).</item>
/// <item>Otherwise a pass verifies: SPF pass, or DKIM pass signed by the sender's domain or a parent of it (relaxed
/// alignment, without a public-suffix list: a parent of at least two labels). A pass is looked at before a fail, since
/// mail forwarded through a list fails SPF but keeps its signature.</item>
/// <item>Otherwise SPF fail or softfail is forged.</item>
/// <item>Anything else (no results, none, neutral, temperror, permerror, DKIM fail alone) is unverified.</item>
/// </list>
/// </summary>
public static class AuthenticationRule
{
    public static SenderAuthentication Classify(AuthenticationResults? results, Address sender)
    {
        if (results is null)
        {
            return SenderAuthentication.Unverified;
        }

        switch (results.Dmarc)
        {
            case DmarcResult.Pass:
                return SenderAuthentication.Verified;
            case DmarcResult.Fail:
                return SenderAuthentication.Forged;
        }

        if (results.Spf == SpfResult.Pass || (results.Dkim == DkimResult.Pass && IsAligned(results.DkimDomain, sender.Domain)))
        {
            return SenderAuthentication.Verified;
        }

        return results.Spf is SpfResult.Fail or SpfResult.SoftFail ? SenderAuthentication.Forged : SenderAuthentication.Unverified;
    }

    /// <summary>
    /// The results of the verdict path's own verification of the connecting IP: SPF's result, and forward-confirmed
    /// reverse DNS (or an IM service) counted as a pass of the sender's domain.
    /// </summary>
    public static AuthenticationResults FromVerification(SenderVerification? verification) => verification switch
    {
        null => AuthenticationResults.Unknown,
        { Method: VerificationMethod.ForwardConfirmedReverseDns or VerificationMethod.ImService } => new(SpfResult.Pass, DkimResult.None, "", DmarcResult.None),
        _ => new(verification.Spf, DkimResult.None, "", DmarcResult.None),
    };

    /// <summary>The RFC 6591 <c>Auth-Failure</c> of a forged report: <c>dmarc</c> when DMARC failed, else <c>spf</c>.</summary>
    public static string AuthFailure(AuthenticationResults results) => results.Dmarc == DmarcResult.Fail ? "dmarc" : "spf";

    /// <summary>Whether a DKIM signing domain is the sender's domain or a parent of it with at least two labels.</summary>
    public static bool IsAligned(string signingDomain, string senderDomain)
    {
        var signer = signingDomain.Trim().TrimEnd('.').ToLowerInvariant();
        if (signer.Length == 0)
        {
            return false;
        }

        if (string.Equals(signer, senderDomain, StringComparison.Ordinal))
        {
            return true;
        }

        return signer.Contains('.', StringComparison.Ordinal) && senderDomain.EndsWith("." + signer, StringComparison.Ordinal);
    }
}
