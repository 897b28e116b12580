using System.Net;
using System.Security.Cryptography.X509Certificates;
using Clearinghouse.Gateway.Public;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Clearinghouse.Silo.Hosting;

/// <summary>
/// The public site's port (<c>Clearinghouse:Public</c>): HTTP/1.1 for browsers and plain HTTP clients, HTTPS when a
/// certificate is configured (the same keys as Kestrel's endpoint certificates: <c>Path</c> with <c>KeyPath</c> for
/// PEM, or <c>Password</c> for PFX). Plaintext beyond loopback follows the same rule as the gRPC endpoint
/// (<see cref="EndpointSecurity"/>).
/// </summary>
public static class PublicEndpoint
{
    /// <summary>Listens when a port is configured; returns the site's URL when it is plaintext (for the banner), else null.</summary>
    public static string? ListenForPublicSite(this WebApplicationBuilder builder, bool allowPlaintext)
    {
        var site = builder.Configuration.GetSection(PublicSiteOptions.Section).Get<PublicSiteOptions>() ?? new PublicSiteOptions();
        if (site.Port is not { } port)
        {
            return null;
        }

        if (!IPAddress.TryParse(site.Address, out var address))
        {
            throw new InvalidOperationException($"{PublicSiteOptions.Section}:Address = {site.Address} is not an IP address");
        }

        var loopback = IPAddress.IsLoopback(address);
        if (!loopback && string.IsNullOrWhiteSpace(site.BaseUrl))
        {
            throw new InvalidOperationException($"{PublicSiteOptions.Section}:BaseUrl is required when the public site listens beyond loopback: confirmation links are built on it (never on a request's Host header).");
        }

        if (site.BaseUrl is { Length: > 0 } baseUrl && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"{PublicSiteOptions.Section}:BaseUrl = {baseUrl} is not an http(s) URL");
        }

        var certificate = site.Certificate is { Path.Length: > 0 } settings ? Load(settings) : null;
        if (certificate is null && !loopback && !allowPlaintext)
        {
            throw new InvalidOperationException(
                $"{PublicSiteOptions.Section}: plaintext on {site.Address} is refused (delisting tokens would cross the network in clear). " +
                $"Configure {PublicSiteOptions.Section}:Certificate:Path (with KeyPath, or Password), or set Clearinghouse:Security:AllowPlaintext=true behind a TLS-terminating proxy.");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        return certificate is null ? $"http://{site.Address}:{port} (public site)" : null;
    }

    private static X509Certificate2 Load(CertificateSettings settings) =>
        settings.KeyPath is { Length: > 0 } keyPath
            ? X509Certificate2.CreateFromPemFile(settings.Path!, keyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(settings.Path!, settings.Password);
}
