using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Forgery;

/// <summary>Reading a DMARC record's ruf= and fo= tags (RFC 7489 section 6.3) from outside input.</summary>
public class DmarcRecordTests
{
    [Fact]
    public void Mailto_ruf_addresses_are_read_with_their_size_limits()
    {
        var record = DmarcRecord.Parse("v=DMARC1; p=reject; ruf=mailto:Failures@Bank.example!10k, mailto:auth%2Dreports@third.example!2m; fo=1")!;
        Assert.Equal(["failures@bank.example", "auth-reports@third.example"], record.FailureReportAddresses.Select(r => r.Mailbox.Value));
        Assert.Equal([10 * 1024L, 2 * 1024 * 1024L], record.FailureReportAddresses.Select(r => r.MaxBytes!.Value));
        Assert.Equal(["1"], record.FailureOptions);
        Assert.True(record.WantsSpfOrDmarcFailureReports);
    }

    [Theory]
    [InlineData("v=DMARC1; ruf=https://bank.example/reports")]
    [InlineData("v=DMARC1; ruf=mailto:")]
    [InlineData("v=DMARC1; ruf=mailto:not-an-address")]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example%2Cb@third.example")]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example!10x")]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example!")]
    [InlineData("v=DMARC1; ruf=mailto:@bank.example")]
    public void Unusable_ruf_uris_are_left_out(string text) =>
        Assert.Empty(DmarcRecord.Parse(text)!.FailureReportAddresses);

    [Fact]
    public void Query_headers_of_a_mailto_are_ignored_and_at_most_two_addresses_are_used()
    {
        var record = DmarcRecord.Parse("v=DMARC1;ruf=mailto:a@bank.example?subject=x,mailto:b@bank.example,mailto:c@bank.example")!;
        Assert.Equal(["a@bank.example", "b@bank.example"], record.FailureReportAddresses.Select(r => r.Mailbox.Value));
        Assert.All(record.FailureReportAddresses, r => Assert.Null(r.MaxBytes));
    }

    [Theory]
    [InlineData("v=spf1 -all")]
    [InlineData("p=reject; v=DMARC1")]
    [InlineData("v=DMARC2; ruf=mailto:a@bank.example")]
    [InlineData("")]
    public void A_record_that_does_not_begin_with_v_DMARC1_is_not_a_dmarc_record(string text)
    {
        Assert.False(DmarcRecord.IsDmarc(text));
        Assert.Null(DmarcRecord.Parse(text));
    }

    [Theory]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example", true)]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example; fo=0", true)]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example; fo=s", true)]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example; fo=d:s", true)]
    [InlineData("v=DMARC1; ruf=mailto:a@bank.example; fo=d", false)]
    public void Only_fo_d_alone_declines_spf_and_dmarc_failure_reports(string text, bool wanted) =>
        Assert.Equal(wanted, DmarcRecord.Parse(text)!.WantsSpfOrDmarcFailureReports);
}
