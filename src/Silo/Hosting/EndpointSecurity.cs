using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// Refuses to start with a plaintext (<c>http://</c>) endpoint on a non-loopback address unless
/// <c>Clearinghouse:Security:AllowPlaintext</c> says so: API keys and recipient addresses would cross the network
/// in clear. TLS is configured the Kestrel way (<c>https://</c> URL and <c>Kestrel:Endpoints:Grpc:Certificate</c>).
/// Refuses, too, an endpoint that cannot speak HTTP/2, where every gRPC call would fail.
/// </summary>
public static class EndpointSecurity
{
    /// <summary>
    /// Every configured endpoint serves gRPC, which needs HTTP/2: over plaintext Kestrel speaks it only with
    /// <c>Protocols=Http2</c> (<c>Http1AndHttp2</c>, its default, is HTTP/1.1 there); over TLS any set with HTTP/2.
    /// </summary>
    public static void CheckHttp2(IConfiguration configuration)
    {
        foreach (var endpoint in ConfiguredEndpoints(configuration))
        {
            if (!Enum.TryParse<HttpProtocols>(endpoint.Protocols, ignoreCase: true, out var protocols))
            {
                continue; // Kestrel itself refuses it, naming the setting.
            }

            var plaintext = BindingAddress.Parse(endpoint.Url).Scheme == Uri.UriSchemeHttp;
            if (plaintext ? protocols != HttpProtocols.Http2 : !protocols.HasFlag(HttpProtocols.Http2))
            {
                throw new InvalidOperationException(
                    $"{endpoint.Setting} = {endpoint.Url} speaks {endpoint.Protocols}, which is {(plaintext ? "HTTP/1.1 without TLS" : "not HTTP/2")}: every gRPC call to it would fail. Set {endpoint.ProtocolsSetting}=Http2.");
            }
        }
    }

    /// <summary>The plaintext endpoints that may start (loopback, or any when allowed), for the start-up banner.</summary>
    public static IReadOnlyList<string> CheckPlaintext(IConfiguration configuration, bool allowPlaintext)
    {
        var plaintext = new List<string>();
        foreach (var (setting, url, _, _) in ConfiguredEndpoints(configuration))
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

    /// <summary>A configured endpoint: the setting that gives its URL, the URL, and the HTTP versions it speaks.</summary>
    private sealed record Endpoint(string Setting, string Url, string Protocols, string ProtocolsSetting);

    private static IEnumerable<Endpoint> ConfiguredEndpoints(IConfiguration configuration)
    {
        const string defaultsSetting = "Kestrel:EndpointDefaults:Protocols";
        var defaults = configuration[defaultsSetting] ?? nameof(HttpProtocols.Http1AndHttp2);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().ToList();
        foreach (var endpoint in endpoints)
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                var protocolsSetting = $"Kestrel:Endpoints:{endpoint.Key}:Protocols";
                yield return new Endpoint($"Kestrel:Endpoints:{endpoint.Key}:Url", url, endpoint["Protocols"] ?? defaults, protocolsSetting);
            }
        }

        // Kestrel ignores 'urls' (ASPNETCORE_URLS) when endpoints are configured.
        if (endpoints.Count == 0 && configuration["urls"] is { Length: > 0 } urls)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return new Endpoint("urls", url, defaults, defaultsSetting);
            }
        }
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
