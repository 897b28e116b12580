using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>Verified, forged or unverified: the rule written down in the README's "Forged senders".</summary>
public class AuthenticationRuleTests
{
    private static readonly Address Ceo = Address.Parse("ceo@bank.example", "sender");

    private static SenderAuthentication Classify(SpfResult spf, DkimResult dkim = DkimResult.None, string dkimDomain = "", DmarcResult dmarc = DmarcResult.None) =>
        AuthenticationRule.Classify(new AuthenticationResults(spf, dkim, dkimDomain, dmarc), Ceo);

    [Fact]
    public void A_report_without_results_is_unverified() =>
        Assert.Equal(SenderAuthentication.Unverified, AuthenticationRule.Classify(null, Ceo));

    [Theory]
    [InlineData(SpfResult.Pass, SenderAuthentication.Verified)]
    [InlineData(SpfResult.Fail, SenderAuthentication.Forged)]
    [InlineData(SpfResult.SoftFail, SenderAuthentication.Forged)]
    [InlineData(SpfResult.None, SenderAuthentication.Unverified)]
    [InlineData(SpfResult.Neutral, SenderAuthentication.Unverified)]
    [InlineData(SpfResult.TempError, SenderAuthentication.Unverified)]
    [InlineData(SpfResult.PermError, SenderAuthentication.Unverified)]
    public void Spf_alone_decides_by_its_result(SpfResult spf, SenderAuthentication expected) =>
        Assert.Equal(expected, Classify(spf));

    [Fact]
    public void Dmarc_decides_when_it_gave_a_verdict()
    {
        Assert.Equal(SenderAuthentication.Forged, Classify(SpfResult.Pass, dmarc: DmarcResult.Fail));
        Assert.Equal(SenderAuthentication.Verified, Classify(SpfResult.Fail, dmarc: DmarcResult.Pass));
        Assert.Equal(SenderAuthentication.Forged, Classify(SpfResult.None, dmarc: DmarcResult.Fail));
        Assert.Equal(SenderAuthentication.Forged, Classify(SpfResult.SoftFail, dmarc: DmarcResult.TempError));
    }

    [Fact]
    public void A_dkim_pass_verifies_only_when_signed_by_the_senders_domain_or_a_parent()
    {
        // Forwarded through a list: SPF fails, the sender's own signature survives.
        Assert.Equal(SenderAuthentication.Verified, Classify(SpfResult.Fail, DkimResult.Pass, "bank.example"));
        Assert.Equal(SenderAuthentication.Verified, AuthenticationRule.Classify(new(SpfResult.None, DkimResult.Pass, "bank.example", DmarcResult.None), Address.Parse("ceo@mail.bank.example", "sender")));
        Assert.Equal(SenderAuthentication.Forged, Classify(SpfResult.Fail, DkimResult.Pass, "forger.example"));
        Assert.Equal(SenderAuthentication.Unverified, Classify(SpfResult.None, DkimResult.Pass, "forger.example"));

        // A one-label "parent" (a top-level domain) aligns with nothing.
        Assert.Equal(SenderAuthentication.Unverified, Classify(SpfResult.None, DkimResult.Pass, "example"));
        Assert.Equal(SenderAuthentication.Unverified, Classify(SpfResult.None, DkimResult.Fail, "bank.example"));
        Assert.False(AuthenticationRule.IsAligned("ank.example", "bank.example"));
    }

    [Fact]
    public void The_verdict_paths_own_verification_maps_to_results()
    {
        Assert.Equal(SenderAuthentication.Unverified, AuthenticationRule.Classify(AuthenticationRule.FromVerification(null), Ceo));
        Assert.Equal(SenderAuthentication.Forged, AuthenticationRule.Classify(AuthenticationRule.FromVerification(new SenderVerification(VerificationMethod.None, SpfResult.SoftFail)), Ceo));
        Assert.Equal(SenderAuthentication.Verified, AuthenticationRule.Classify(AuthenticationRule.FromVerification(new SenderVerification(VerificationMethod.Spf, SpfResult.Pass)), Ceo));
        Assert.Equal(SenderAuthentication.Verified, AuthenticationRule.Classify(AuthenticationRule.FromVerification(new SenderVerification(VerificationMethod.ForwardConfirmedReverseDns, SpfResult.None)), Ceo));
        Assert.Equal(SenderAuthentication.Unverified, AuthenticationRule.Classify(AuthenticationRule.FromVerification(SenderVerification.Unverified), Ceo));
    }

    [Fact]
    public void The_auth_failure_named_in_a_report_is_dmarc_when_dmarc_failed_else_spf()
    {
        Assert.Equal("dmarc", AuthenticationRule.AuthFailure(new(SpfResult.Fail, DkimResult.None, "", DmarcResult.Fail)));
        Assert.Equal("spf", AuthenticationRule.AuthFailure(new(SpfResult.SoftFail, DkimResult.None, "", DmarcResult.None)));
    }
}
