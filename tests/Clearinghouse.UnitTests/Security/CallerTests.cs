using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clearinghouse.UnitTests.Security;

public class CallerTests
{
    private static Address Recipient(string address) => Address.Parse(address, "recipient");

    [Fact]
    public void A_provider_owns_its_exact_domains_and_wildcard_subdomains_only()
    {
        var provider = new Caller("p", CallerRole.Provider, ["example.com", "*.example.net"]);
        Assert.True(provider.Owns(Recipient("a@example.com")));
        Assert.False(provider.Owns(Recipient("a@sub.example.com")));
        Assert.True(provider.Owns(Recipient("a@mail.example.net")));
        Assert.False(provider.Owns(Recipient("a@example.net")));
        Assert.False(provider.Owns(Recipient("a@example.org")));
    }

    [Fact]
    public void An_operator_owns_no_recipients()
    {
        Assert.False(new Caller("operator", CallerRole.Operator, ["*"]).Owns(Recipient("a@example.com")));
    }

    [Fact]
    public void Keys_are_matched_by_their_SHA256_and_several_keys_may_serve_one_provider()
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions
        {
            Domains = ["Acme.example"],
            ApiKeySha256 = [CallerDirectory.HashKey("old-key"), CallerDirectory.HashKey("new-key").ToUpperInvariant()],
        };
        options.Operators.ApiKeySha256 = [CallerDirectory.HashKey("ops")];
        using var directory = new CallerDirectory(new FixedOptions(options), NullLogger<CallerDirectory>.Instance);

        Assert.True(directory.TryAuthenticate("old-key", out var byOld));
        Assert.True(directory.TryAuthenticate("new-key", out var byNew));
        Assert.Same(byOld, byNew);
        Assert.True(byOld.Owns(Recipient("user@acme.example")));
        Assert.True(directory.TryAuthenticate("ops", out var ops));
        Assert.Equal(CallerRole.Operator, ops.Role);
        Assert.False(directory.TryAuthenticate("guess", out _));
        Assert.False(directory.TryAuthenticate("", out _));
    }

    [Fact]
    public void A_hash_that_is_not_SHA256_hex_is_refused()
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = ["plain-text-key"] };
        Assert.Throws<OptionsValidationException>(() => new CallerDirectory(new FixedOptions(options), NullLogger<CallerDirectory>.Instance));
    }

    [Fact]
    public void A_changed_configuration_rotates_keys_without_a_restart()
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = [CallerDirectory.HashKey("old-key")] };
        var monitor = new FixedOptions(options);
        using var directory = new CallerDirectory(monitor, NullLogger<CallerDirectory>.Instance);

        var rotated = new TenancyOptions();
        rotated.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = [CallerDirectory.HashKey("new-key")] };
        monitor.Change(rotated);

        Assert.False(directory.TryAuthenticate("old-key", out _));
        Assert.True(directory.TryAuthenticate("new-key", out _));

        var broken = new TenancyOptions();
        broken.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = ["nonsense"] };
        monitor.Change(broken);
        Assert.True(directory.TryAuthenticate("new-key", out _));
    }
}
