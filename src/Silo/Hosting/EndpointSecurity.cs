using System.Net;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Refuses to start with a plaintext (<c>http://</c>) endpoint on a non-loopback address unless
/// <c>Clearinghouse:Security:AllowPlaintext</c> says so: API keys and recipient addresses would cross the network
/// in clear. TLS is configured the Kestrel way (<c>https://</c> URL and <c>Kestrel:Endpoints:Grpc:Certificate</c>).
/// </summary>
public static class EndpointSecurity
{
    /// <summary>The plaintext endpoints that may start (loopback, or any when allowed), for the start-up banner.</summary>
    public static IReadOnlyList<string> CheckPlaintext(IConfiguration configuration, bool allowPlaintext)
    {
        var plaintext = new List<string>();
        foreach (var (setting, url) in ConfiguredUrls(configuration))
        {
            var address = BindingAddress.Parse(url);
            if (address.Scheme != Uri.UriSchemeHttp)
            {
                continue;
            }

            if (!IsLoopback(address.Host) && !allowPlaintext)
            {
                throw new InvalidOperationException(
                    $"{setting} = {url}: plaintext on a non-loopback address is refused (API keys and addresses would cross the network in clear). " +
                    "Use an https:// URL with a certificate (Kestrel:Endpoints:<name>:Certificate:Path, KeyPath or Password), or set Clearinghouse:Security:AllowPlaintext=true behind a TLS-terminating proxy.");
            }

            plaintext.Add(url);
        }

        return plaintext;
    }

    private static IEnumerable<(string Setting, string Url)> ConfiguredUrls(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        foreach (var endpoint in endpoints)
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return ($"Kestrel:Endpoints:{endpoint.Key}:Url", url);
            }
        }

        // Kestrel ignores 'urls' (ASPNETCORE_URLS) when endpoints are configured.
        if (endpoints.Count == 0 && configuration["urls"] is { Length: > 0 } urls)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return ("urls", url);
            }
        }
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
