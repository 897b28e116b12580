using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Clearinghouse.Api.V1;
using Clearinghouse.Silo.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;

namespace Clearinghouse.IntegrationTests;

public class TlsTests
{
    [Fact]
    public async Task The_gRPC_port_serves_TLS_with_the_configured_certificate_and_a_plaintext_client_gets_nothing()
    {
        using var certificate = SelfSignedCertificate();
        var pfx = await PfxFileAsync(certificate);
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Certificate:Path"] = pfx,
            ["Kestrel:Endpoints:Grpc:Certificate:Password"] = "test-password",
        });
        Assert.Equal("https", host.Address.Scheme);

        // The client trusts the test certificate alone, and validates the chain and the name (127.0.0.1) as usual.
        string? presented = null;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(certificate);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, serverCertificate, _, errors) =>
        {
            presented = serverCertificate?.GetCertHashString(HashAlgorithmName.SHA256);
            return errors == SslPolicyErrors.None;
        };
        using (var channel = GrpcChannel.ForAddress(host.Address, new GrpcChannelOptions { HttpHandler = handler }))
        {
            var ping = await new Diagnostics.DiagnosticsClient(Authenticated(channel)).PingAsync(new PingRequest());
            Assert.Equal("acme", ping.Provider);
            Assert.Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256), presented);
        }

        using var plaintext = GrpcChannel.ForAddress(new UriBuilder(host.Address) { Scheme = "http" }.Uri);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new Diagnostics.DiagnosticsClient(Authenticated(plaintext)).PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddSeconds(10)));
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task The_public_site_serves_HTTPS_with_the_configured_certificate()
    {
        using var certificate = SelfSignedCertificate();
        var pfx = await PfxFileAsync(certificate);
        await using var host = await ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Public:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clearinghouse:Public:Certificate:Path"] = pfx,
            ["Clearinghouse:Public:Certificate:Password"] = "test-password",
        });
        Assert.Equal("https", host.PublicAddress.Scheme);

        string? presented = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(certificate);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, serverCertificate, _, errors) =>
        {
            presented = serverCertificate?.GetCertHashString(HashAlgorithmName.SHA256);
            return errors == SslPolicyErrors.None;
        };
        using (var https = new HttpClient(handler, disposeHandler: false))
        {
            using var page = await https.GetAsync(new Uri(host.PublicAddress, "/lookup?q=a.example"));
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single());
            Assert.Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256), presented);
        }

        using var plaintext = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var refused = await Record.ExceptionAsync(async () => (await plaintext.GetAsync(new UriBuilder(host.PublicAddress) { Scheme = "http" }.Uri)).EnsureSuccessStatusCode());
        Assert.NotNull(refused);
    }

    [Theory]
    [InlineData(null, "BaseUrl")]
    [InlineData("https://delist.clearinghouse.example", "Clearinghouse:Security:AllowPlaintext")]
    public async Task A_plaintext_public_site_beyond_loopback_stops_the_start(string? baseUrl, string named)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clearinghouse:Public:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clearinghouse:Public:Address"] = "0.0.0.0",
            ["Clearinghouse:Public:BaseUrl"] = baseUrl,
        }));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task A_plaintext_endpoint_on_a_non_loopback_address_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "http://0.0.0.0:0",
        }));
        Assert.Contains("Clearinghouse:Security:AllowPlaintext", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", false, true)]
    [InlineData("http://localhost:5080", false, true)]
    [InlineData("http://[::1]:5080", false, true)]
    [InlineData("https://0.0.0.0:5080", false, false)]
    [InlineData("http://0.0.0.0:5080", true, true)]
    [InlineData("http://*:5080", true, true)]
    public void Plaintext_is_allowed_on_loopback_or_when_configuration_says_so(string url, bool allowPlaintext, bool reportedAsPlaintext)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Kestrel:Endpoints:Grpc:Url"] = url }).Build();
        var plaintext = EndpointSecurity.CheckPlaintext(configuration, allowPlaintext);
        Assert.Equal(reportedAsPlaintext, plaintext.Contains(url));
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://10.1.2.3:5080")]
    public void Plaintext_elsewhere_is_refused_unless_allowed(string url)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = url }).Build();
        Assert.Throws<InvalidOperationException>(() => EndpointSecurity.CheckPlaintext(configuration, allowPlaintext: false));
    }

    private static CallInvoker Authenticated(GrpcChannel channel) =>
        channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {TestTenants.AcmeKey}");
            return metadata;
        });

    /// <summary>The certificate and its key as a PFX file protected by "test-password".</summary>
    private static async Task<string> PfxFileAsync(X509Certificate2 certificate)
    {
        var pfx = Path.Combine(Directory.CreateTempSubdirectory("clearinghouse-tls-").FullName, "server.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"));
        return pfx;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=clearinghouse-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
