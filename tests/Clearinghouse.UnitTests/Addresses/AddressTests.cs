using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Addresses;

public class AddressTests
{
    [Theory]
    [InlineData("  Alice@Example.COM ", "alice@example.com")]
    [InlineData("<Bob@Example.com>", "bob@example.com")]
    [InlineData("user+tag@mail.example.org.", "user+tag@mail.example.org")]
    [InlineData("x@bücher.example", "x@xn--bcher-kva.example")]
    [InlineData("Jörg@Bücher.Example", "jörg@xn--bcher-kva.example")]
    [InlineData("\"john doe\"@example.com", "\"john doe\"@example.com")]
    [InlineData("postmaster@[192.0.2.1]", "postmaster@[192.0.2.1]")]
    [InlineData("alice@xmpp", "alice@xmpp")]
    public void Normalises_valid_addresses(string input, string expected)
    {
        Assert.True(Address.TryParse(input, out var address, out var problem), problem);
        Assert.Equal(expected, address.Value);
    }

    [Theory]
    [InlineData("*@example.com")]
    [InlineData("a*b@example.com")]
    public void Refuses_an_asterisk_in_a_named_address_but_takes_an_observed_one_as_it_is(string input)
    {
        Assert.False(Address.TryParse(input, out _, out var problem));
        Assert.Contains("a wildcard is only allowed as a leading '*.'", problem);

        // A check's envelope sender is what the message carried: RFC 5322 allows '*' there, and it is literal.
        Assert.Equal(input, Address.Parse(input, "sender", allowNullSender: true, allowAsterisk: true).Value);

        // Quoted, it is plainly literal.
        Assert.True(Address.TryParse("\"*\"@example.com", out _, out _));
    }

    [Fact]
    public void Splits_local_part_and_domain()
    {
        var address = Address.Parse("Alice@Mail.Example.com", "sender");
        Assert.Equal("alice", address.LocalPart.ToString());
        Assert.Equal("mail.example.com", address.Domain);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("   ", "is required")]
    [InlineData("no-at-sign", "local@domain")]
    [InlineData("@example.com", "local@domain")]
    [InlineData("alice@", "local@domain")]
    [InlineData(".alice@example.com", "dot")]
    [InlineData("al..ice@example.com", "dot")]
    [InlineData("al ice@example.com", "U+0020")]
    [InlineData("alice@exa_mple.com", "character '_'")]
    [InlineData("alice@-example.com", "hyphen")]
    [InlineData("alice@example..com", "empty label")]
    [InlineData("alice@[300.1.1.1]", "address literal")]
    [InlineData("\"unterminated@example.com", "quoted")]
    public void Refuses_malformed_addresses_saying_why(string input, string expectedProblem)
    {
        Assert.False(Address.TryParse(input, out _, out var problem));
        Assert.Contains(expectedProblem, problem);
    }

    [Fact]
    public void Enforces_the_RFC_5321_length_limits()
    {
        var local64 = new string('a', 64);
        Assert.True(Address.TryParse($"{local64}@example.com", out _, out _));
        Assert.False(Address.TryParse($"{local64}a@example.com", out _, out var tooLongLocal));
        Assert.Contains("64", tooLongLocal);

        // Multi-byte characters count as octets: 33 two-byte characters are 66 octets.
        Assert.False(Address.TryParse($"{new string('é', 33)}@example.com", out _, out _));

        var label63 = new string('b', 63);
        Assert.True(Address.TryParse($"a@{label63}.com", out _, out _));
        Assert.False(Address.TryParse($"a@{label63}b.com", out _, out var longLabel));
        Assert.Contains("63", longLabel);

        var tooLongDomain = string.Join('.', Enumerable.Repeat(new string('c', 60), 5));
        Assert.False(Address.TryParse($"a@{tooLongDomain}", out _, out var longDomain));
        Assert.Contains("255", longDomain);

        // 64 + 1 + 189 = 254 characters is the longest address; one more is refused.
        var domain189 = $"{new string('d', 61)}.{new string('d', 61)}.{new string('d', 61)}.com";
        Assert.True(Address.TryParse($"{local64}@{domain189}", out _, out _));
        Assert.False(Address.TryParse($"{local64}@e{domain189}", out _, out var longAddress));
        Assert.Contains("254", longAddress);
    }

    [Fact]
    public void Null_sender_is_accepted_only_where_allowed()
    {
        Assert.True(Address.TryParse("<>", out var sender, out _, allowNullSender: true));
        Assert.True(sender.IsNullSender);
        Assert.False(Address.TryParse("<>", out _, out var problem));
        Assert.Contains("<>", problem);
    }

    [Fact]
    public void Parse_names_the_field_in_its_error()
    {
        var error = Assert.Throws<InvalidFieldException>(() => Address.Parse("not an address", "recipient"));
        Assert.Equal("recipient", error.Field);
        Assert.StartsWith("recipient: ", error.Message);
    }

    // Found by fuzzing: 'Ⱥ' (2 UTF-8 octets) lower-cases to 'ⱥ' (3), so 32 of them passed the 64-octet limit and
    // were stored as 96 octets, which the sender's grain could not parse back from its key.
    [Fact]
    public void The_octet_limit_applies_to_the_lower_cased_local_part()
    {
        Assert.False(Address.TryParse($"{new string('\u023a', 32)}@example.com", out _, out var problem));
        Assert.Contains("64 octets", problem);

        Assert.True(Address.TryParse($"{new string('\u023a', 21)}@example.com", out var address, out _));
        Assert.Equal(new string('\u2c65', 21), address.LocalPart.ToString());
        Assert.Equal(address, Address.Parse(address.Value, "sender"));
    }

    // Found by fuzzing: a backslash let a control character (a tab, a line break) into a quoted local part.
    [Theory]
    [InlineData("\"a\\\tb\"@example.com")]
    [InlineData("\"a\\\r\nb\"@example.com")]
    [InlineData("\"\\\u0000\"@example.com")]
    public void An_escaped_control_character_is_refused(string input)
    {
        Assert.False(Address.TryParse(input, out _, out var problem));
        Assert.Contains("control character", problem);
    }

    [Fact]
    public void Escaped_printable_characters_are_still_accepted() =>
        Assert.Equal("\"a\\\"b\\ c\"@example.com", Address.Parse("\"a\\\"b\\ c\"@Example.com", "sender").Value);
}
