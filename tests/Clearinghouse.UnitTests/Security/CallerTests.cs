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
        using var directory = new CallerDirectory(new FixedOptions<TenancyOptions>(options), NullLogger<CallerDirectory>.Instance);

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
    public void Operators_are_named_by_their_configuration_key_and_the_older_unnamed_keys_still_work()
    {
        // (Reading Clearinghouse:Operators:<name> from configuration is covered by the host's tests: AuditApiTests.)
        var options = new TenancyOptions();
        options.Operators.ApiKeySha256 = [CallerDirectory.HashKey("legacy")];
        options.Operators.Named["alice"] = [CallerDirectory.HashKey("alice-1"), CallerDirectory.HashKey("alice-2")];
        options.Operators.Named["bob.smith"] = [CallerDirectory.HashKey("bob")];
        using var directory = new CallerDirectory(new FixedOptions<TenancyOptions>(options), NullLogger<CallerDirectory>.Instance);

        foreach (var (key, name) in new[] { ("legacy", "operator"), ("alice-1", "alice"), ("alice-2", "alice"), ("bob", "bob.smith") })
        {
            Assert.True(directory.TryAuthenticate(key, out var caller));
            Assert.Equal((CallerRole.Operator, name), (caller.Role, caller.Id));
        }
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public void An_operator_name_that_is_a_provider_or_not_a_plain_name_is_refused(string name)
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = [CallerDirectory.HashKey("acme")] };
        options.Operators.Named[name] = [CallerDirectory.HashKey("ops")];
        Assert.Throws<OptionsValidationException>(() => new CallerDirectory(new FixedOptions<TenancyOptions>(options), NullLogger<CallerDirectory>.Instance));
    }

    [Fact]
    public void A_hash_that_is_not_SHA256_hex_is_refused()
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = ["plain-text-key"] };
        Assert.Throws<OptionsValidationException>(() => new CallerDirectory(new FixedOptions<TenancyOptions>(options), NullLogger<CallerDirectory>.Instance));
    }

    [Fact]
    public void A_changed_configuration_rotates_keys_without_a_restart()
    {
        var options = new TenancyOptions();
        options.Providers["acme"] = new ProviderOptions { Domains = ["acme.example"], ApiKeySha256 = [CallerDirectory.HashKey("old-key")] };
        var monitor = new FixedOptions<TenancyOptions>(options);
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
