using System.Text;
using Clearinghouse.Domain;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// A violation report's authentication results: the proto's enums, and the provider's Authentication-Results header
/// (RFC 8601) parsed with MimeKit, which fills what the enums leave unspecified.
/// </summary>
public static class AuthenticationMapping
{
    /// <summary>Longest header accepted: real ones are a few hundred characters.</summary>
    public const int MaxHeaderLength = 8192;

    private static readonly EnumMapping<V1.SpfResult, SpfResult> SpfResults = new("SPF result", SpfResult.None);
    private static readonly EnumMapping<V1.DkimResult, DkimResult> DkimResults = new("DKIM result", DkimResult.None);
    private static readonly EnumMapping<V1.DmarcResult, DmarcResult> DmarcResults = new("DMARC result", DmarcResult.None);
    private static readonly EnumMapping<V1.SenderAuthentication, SenderAuthentication> Classes = new("sender authentication");

    public static V1.SenderAuthentication ToProto(SenderAuthentication authentication) => Classes.ToProto(authentication);

    /// <summary>
    /// The results a report carries (null when it carries none: unverified). Bad enum values, a bad signing domain or an
    /// unparsable header are refused, naming the field.
    /// </summary>
    public static AuthenticationResults? ToDomain(V1.AuthenticationResults? given, string? header, string senderDomain)
    {
        AuthenticationResults? stated = null;
        if (given is not null)
        {
            stated = new AuthenticationResults(
                SpfResults.ToDomain(given.Spf, "authentication.spf"),
                DkimResults.ToDomain(given.Dkim, "authentication.dkim"),
                SigningDomain(given.DkimDomain, "authentication.dkim_domain"),
                DmarcResults.ToDomain(given.Dmarc, "authentication.dmarc"));
        }

        var parsed = string.IsNullOrWhiteSpace(header) ? null : ParseHeader(header, senderDomain, "authentication_results_header");
        if (stated is null || parsed is null)
        {
            return stated ?? parsed;
        }

        var dkimFromHeader = stated.Dkim == DkimResult.None;
        return new AuthenticationResults(
            stated.Spf != SpfResult.None ? stated.Spf : parsed.Spf,
            dkimFromHeader ? parsed.Dkim : stated.Dkim,
            dkimFromHeader ? parsed.DkimDomain : stated.DkimDomain,
            stated.Dmarc != DmarcResult.None ? stated.Dmarc : parsed.Dmarc);
    }

    /// <summary>
    /// An Authentication-Results header field (its value, or the whole field with its name; folded lines allowed),
    /// parsed with MimeKit: the first spf and dmarc results, and the dkim pass signed by the sender's domain (or else
    /// the first pass, or the first dkim result). Unknown result values are refused.
    /// </summary>
    public static AuthenticationResults ParseHeader(string header, string senderDomain, string field)
    {
        if (header.Length > MaxHeaderLength)
        {
            throw new InvalidFieldException(field, $"is longer than {MaxHeaderLength} characters");
        }

        var text = header.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
        const string name = "Authentication-Results:";
        if (text.StartsWith(name, StringComparison.OrdinalIgnoreCase))
        {
            text = text[name.Length..].Trim();
        }

        if (text.Length == 0 || !MimeKit.Cryptography.AuthenticationResults.TryParse(Encoding.UTF8.GetBytes(text), out var parsed))
        {
            throw new InvalidFieldException(field, "is not an Authentication-Results header (RFC 8601)");
        }

        var results = parsed.Results;
        var spf = results.FirstOrDefault(r => Is(r, "spf"));
        var dmarc = results.FirstOrDefault(r => Is(r, "dmarc"));
        var signatures = results.Where(r => Is(r, "dkim")).Select(r => (Result: DkimOf(r, field), Domain: SigningDomainOf(r))).ToList();
        var passes = signatures.Where(s => s.Result == DkimResult.Pass).OrderByDescending(s => AuthenticationRule.IsAligned(s.Domain, senderDomain)).ToList();
        var dkim = passes.Count > 0 ? passes[0] : signatures.Count > 0 ? signatures[0] : (Result: DkimResult.None, Domain: "");
        return new AuthenticationResults(
            spf is null ? SpfResult.None : SpfOf(spf, field),
            dkim.Result,
            dkim.Domain,
            dmarc is null ? DmarcResult.None : DmarcOf(dmarc, field));
    }

    private static bool Is(MimeKit.Cryptography.AuthenticationMethodResult result, string method) =>
        string.Equals(result.Method, method, StringComparison.OrdinalIgnoreCase);

    private static SpfResult SpfOf(MimeKit.Cryptography.AuthenticationMethodResult result, string field) => Lower(result) switch
    {
        "none" => SpfResult.None,
        "neutral" => SpfResult.Neutral,
        "pass" => SpfResult.Pass,
        "fail" or "hardfail" => SpfResult.Fail,
        "softfail" => SpfResult.SoftFail,
        "temperror" => SpfResult.TempError,
        "permerror" => SpfResult.PermError,
        var other => throw new InvalidFieldException(field, $"spf={other} is not an SPF result"),
    };

    private static DkimResult DkimOf(MimeKit.Cryptography.AuthenticationMethodResult result, string field) => Lower(result) switch
    {
        "none" => DkimResult.None,
        "pass" => DkimResult.Pass,
        "fail" => DkimResult.Fail,
        "policy" => DkimResult.Policy,
        "neutral" => DkimResult.Neutral,
        "temperror" => DkimResult.TempError,
        "permerror" => DkimResult.PermError,
        var other => throw new InvalidFieldException(field, $"dkim={other} is not a DKIM result"),
    };

    private static DmarcResult DmarcOf(MimeKit.Cryptography.AuthenticationMethodResult result, string field) => Lower(result) switch
    {
        "none" => DmarcResult.None,
        "pass" => DmarcResult.Pass,
        "fail" => DmarcResult.Fail,
        "temperror" => DmarcResult.TempError,
        "permerror" => DmarcResult.PermError,
        var other => throw new InvalidFieldException(field, $"dmarc={other} is not a DMARC result"),
    };

    private static string Lower(MimeKit.Cryptography.AuthenticationMethodResult result) => (result.Result ?? "").Trim().ToLowerInvariant();

    /// <summary>The signature's domain (<c>header.d</c>, else the domain of <c>header.i</c>), normalised; empty when absent or not a domain.</summary>
    private static string SigningDomainOf(MimeKit.Cryptography.AuthenticationMethodResult result)
    {
        var d = result.Properties.FirstOrDefault(p => p.PropertyType.Equals("header", StringComparison.OrdinalIgnoreCase) && p.Property.Equals("d", StringComparison.OrdinalIgnoreCase))?.Value;
        if (d is null && result.Properties.FirstOrDefault(p => p.PropertyType.Equals("header", StringComparison.OrdinalIgnoreCase) && p.Property.Equals("i", StringComparison.OrdinalIgnoreCase))?.Value is { } identity)
        {
            d = identity[(identity.LastIndexOf('@') + 1)..];
        }

        return d is not null && DomainName.TryNormalize(d, out var normalized, out _) ? normalized : "";
    }

    private static string SigningDomain(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        return DomainName.TryNormalize(text, out var normalized, out var problem) ? normalized : throw new InvalidFieldException(field, problem);
    }
}
