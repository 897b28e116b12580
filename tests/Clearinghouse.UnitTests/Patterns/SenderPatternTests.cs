using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Patterns;

public class SenderPatternTests
{
    [Theory]
    [InlineData("Spammer@Example.com", PatternKind.Address, "spammer@example.com", "spammer@example.com")]
    [InlineData("Example.COM", PatternKind.Domain, "example.com", "example.com")]
    [InlineData("*.Example.com", PatternKind.Subdomains, "example.com", "*.example.com")]
    [InlineData(".XYZ", PatternKind.TopLevelDomain, "xyz", ".xyz")]
    [InlineData(".co.uk", PatternKind.TopLevelDomain, "co.uk", ".co.uk")]
    [InlineData("*.bücher.example", PatternKind.Subdomains, "xn--bcher-kva.example", "*.xn--bcher-kva.example")]
    public void Parses_each_kind(string input, PatternKind kind, string value, string written)
    {
        var pattern = SenderPattern.Parse(input, "pattern");
        Assert.Equal(kind, pattern.Kind);
        Assert.Equal(value, pattern.Value);
        Assert.Equal(written, pattern.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("ex*ample.com")]
    [InlineData("*.*.example.com")]
    [InlineData("bad domain.com")]
    [InlineData("@example.com")]
    [InlineData("[192.0.2.1]")]
    public void Refuses_malformed_patterns(string input)
    {
        var error = Assert.Throws<InvalidFieldException>(() => SenderPattern.Parse(input, "pattern"));
        Assert.Equal("pattern", error.Field);
    }

    [Theory]
    [InlineData("*@foo.com")]
    [InlineData("news*@foo.com")]
    [InlineData("*@*.foo.com")]
    [InlineData("*.foo.com@bar.example")]
    public void Refuses_a_wildcard_in_a_local_part_since_it_would_match_only_itself(string input)
    {
        var error = Assert.Throws<InvalidFieldException>(() => SenderPattern.Parse(input, "pattern"));
        Assert.Equal("pattern", error.Field);
        Assert.Contains("a wildcard is only allowed as a leading '*.'", error.Problem);
    }

    [Theory]
    [InlineData("spammer@example.com", "spammer@example.com", true)]
    [InlineData("spammer@example.com", "other@example.com", false)]
    [InlineData("example.com", "anyone@example.com", true)]
    [InlineData("example.com", "anyone@mail.example.com", false)]
    [InlineData("*.example.com", "anyone@mail.example.com", true)]
    [InlineData("*.example.com", "anyone@a.b.example.com", true)]
    [InlineData("*.example.com", "anyone@example.com", false)]
    [InlineData("*.example.com", "anyone@badexample.com", false)]
    [InlineData(".xyz", "anyone@cheap.xyz", true)]
    [InlineData(".xyz", "anyone@a.cheap.xyz", true)]
    [InlineData(".xyz", "anyone@cheap.xyzz", false)]
    public void Matches_senders(string pattern, string sender, bool matches)
    {
        Assert.Equal(matches, SenderPattern.Parse(pattern, "pattern").Matches(Address.Parse(sender, "sender")));
    }

    [Fact]
    public void Never_matches_the_null_sender()
    {
        Assert.False(SenderPattern.Parse("example.com", "pattern").Matches(Address.NullSender));
    }
}
