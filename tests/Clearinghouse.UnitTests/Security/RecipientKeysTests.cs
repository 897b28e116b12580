using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Security;

public class RecipientKeysTests
{
    private static Address Recipient(string address) => Address.Parse(address, "recipient");

    [Fact]
    public void A_key_depends_on_the_normalised_address_and_the_secret_and_does_not_contain_the_address()
    {
        var keys = new RecipientKeys("first-secret-of-16+");
        var key = keys.For(Recipient("Alice@Example.COM"));

        Assert.Equal(key, keys.For(Recipient("alice@example.com")));
        Assert.NotEqual(key, keys.For(Recipient("bob@example.com")));
        Assert.NotEqual(key, new RecipientKeys("other-secret-of-16+").For(Recipient("alice@example.com")));
        Assert.DoesNotContain("alice", key, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example", key, StringComparison.OrdinalIgnoreCase);
        Assert.True(RecipientKeys.IsKey(key));
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("r1:short")]
    [InlineData("")]
    public void An_address_or_anything_else_is_not_a_key(string candidate)
    {
        Assert.False(RecipientKeys.IsKey(candidate));
    }

    [Fact]
    public void A_short_secret_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RecipientKeys("short"));
    }
}
