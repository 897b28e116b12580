using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>A report's Authentication-Results header, parsed with MimeKit, and the proto's results.</summary>
public class AuthenticationHeaderTests
{
    [Fact]
    public void A_real_header_gives_spf_the_aligned_dkim_pass_and_dmarc()
    {
        const string header = "Authentication-Results: mx.bigmail.example;\r\n spf=fail smtp.mailfrom=ceo@bank.example;\r\n" +
            " dkim=pass header.d=forger.example; dkim=pass header.i=@bank.example;\r\n dmarc=fail header.from=bank.example";
        var results = AuthenticationMapping.ParseHeader(header, "bank.example", "authentication_results_header");
        Assert.Equal(new AuthenticationResults(SpfResult.Fail, DkimResult.Pass, "bank.example", DmarcResult.Fail), results);
    }

    [Fact]
    public void The_value_alone_parses_too_and_missing_methods_are_none()
    {
        var results = AuthenticationMapping.ParseHeader("mx.example; spf=softfail smtp.mailfrom=bank.example", "bank.example", "h");
        Assert.Equal(new AuthenticationResults(SpfResult.SoftFail, DkimResult.None, "", DmarcResult.None), results);
    }

    [Theory]
    [InlineData("mx.example; spf")]
    [InlineData("mx.example; spf=maybe smtp.mailfrom=a@b.example")]
    [InlineData("mx.example; dmarc=weird")]
    [InlineData(";;;")]
    public void An_unparsable_header_is_refused_naming_the_field(string header)
    {
        var error = Assert.Throws<InvalidFieldException>(() => AuthenticationMapping.ParseHeader(header, "bank.example", "authentication_results_header"));
        Assert.Equal("authentication_results_header", error.Field);
    }

    [Fact]
    public void Stated_results_win_and_the_header_fills_the_rest()
    {
        var given = new V1.AuthenticationResults { Spf = V1.SpfResult.Pass };
        var results = AuthenticationMapping.ToDomain(given, "mx.example; spf=fail smtp.mailfrom=a@bank.example; dmarc=fail header.from=bank.example", "bank.example")!;
        Assert.Equal((SpfResult.Pass, DmarcResult.Fail), (results.Spf, results.Dmarc));
        Assert.Null(AuthenticationMapping.ToDomain(null, "", "bank.example"));
    }

    [Fact]
    public void Unknown_enum_values_and_bad_signing_domains_are_refused_naming_the_field()
    {
        Assert.Equal("authentication.spf", Assert.Throws<InvalidFieldException>(() => AuthenticationMapping.ToDomain(new V1.AuthenticationResults { Spf = (V1.SpfResult)99 }, "", "bank.example")).Field);
        Assert.Equal("authentication.dkim", Assert.Throws<InvalidFieldException>(() => AuthenticationMapping.ToDomain(new V1.AuthenticationResults { Dkim = (V1.DkimResult)42 }, "", "bank.example")).Field);
        Assert.Equal("authentication.dmarc", Assert.Throws<InvalidFieldException>(() => AuthenticationMapping.ToDomain(new V1.AuthenticationResults { Dmarc = (V1.DmarcResult)7 }, "", "bank.example")).Field);
        Assert.Equal("authentication.dkim_domain", Assert.Throws<InvalidFieldException>(() => AuthenticationMapping.ToDomain(new V1.AuthenticationResults { DkimDomain = "bad domain!" }, "", "bank.example")).Field);
    }
}
