using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>A host whose resolver is a loopback DNS server holding the zones of a common domain and its forgers.</summary>
public sealed class VerifiedHostFixture : IAsyncLifetime
{
    public const string AuthorisedIp = "192.0.2.25";
    public const string ForgerIp = "198.51.100.66";
    public const string ReverseConfirmedIp = "203.0.113.40";

    public LoopbackDnsServer Dns { get; private set; } = null!;

    public ClearinghouseTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dns = LoopbackDnsServer.Start();
        Dns.Txt("bigmail.test", "v=spf1 ip4:192.0.2.0/24 -all")
            .Txt("mail.quiet.test", "v=spf1 ?all")
            .Ptr(ReverseConfirmedIp, "out1.mail.quiet.test")
            .Address("out1.mail.quiet.test", ReverseConfirmedIp);
        Host = await ClearinghouseTestHost.StartAsync(Dns.Settings());
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Dns.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class VerifiedHostCollection : ICollectionFixture<VerifiedHostFixture>
{
    public const string Name = "embedded host with a loopback resolver";
}

[Collection(VerifiedHostCollection.Name)]
public class SenderVerificationTests(VerifiedHostFixture fixture)
{
    private readonly Records.RecordsClient records = fixture.Host.Records();
    private readonly Verdicts.VerdictsClient verdicts = fixture.Host.Verdicts();

    private static string NewRecipient() => $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";

    [Fact]
    public async Task A_domain_allow_is_honoured_from_an_authorised_ip_and_not_for_a_forgery()
    {
        var recipient = NewRecipient();
        var allow = await Add(recipient, "bigmail.test", RecordAction.Allow, "");
        var reject = await Add(recipient, ".test", RecordAction.Reject, "No mail from .test, please.");

        var genuine = await Check("friend@bigmail.test", recipient, VerifiedHostFixture.AuthorisedIp);
        Assert.Equal((VerdictAction.Accept, allow.Id), (genuine.Action, genuine.MatchedRecordId));
        Assert.Equal((true, VerificationMethod.Spf, SpfResult.Pass), (genuine.SenderVerified, genuine.Verification, genuine.SpfResult));

        var forged = await Check("friend@bigmail.test", recipient, VerifiedHostFixture.ForgerIp);
        Assert.Equal((VerdictAction.Reject, reject.Id, "No mail from .test, please."), (forged.Action, forged.MatchedRecordId, forged.Text));
        Assert.Equal((false, VerificationMethod.None, SpfResult.Fail), (forged.SenderVerified, forged.Verification, forged.SpfResult));

        // Without a client IP nothing is verified: the allow does not apply either.
        var unknown = await Check("friend@bigmail.test", recipient, "");
        Assert.Equal((VerdictAction.Reject, false), (unknown.Action, unknown.SenderVerified));
    }

    [Fact]
    public async Task Subdomain_and_tld_allows_need_verification_too_and_reverse_dns_can_provide_it()
    {
        var recipient = NewRecipient();
        await Add(recipient, "*.test", RecordAction.Reject, "");
        var subdomains = await Add(recipient, "*.quiet.test", RecordAction.Allow, "");

        // mail.quiet.test's SPF says neutral; its outbound host's reverse DNS is forward-confirmed and under it.
        var confirmed = await Check("a@mail.quiet.test", recipient, VerifiedHostFixture.ReverseConfirmedIp);
        Assert.Equal((VerdictAction.Accept, subdomains.Id, VerificationMethod.Fcrdns), (confirmed.Action, confirmed.MatchedRecordId, confirmed.Verification));

        var other = await Check("a@mail.quiet.test", recipient, VerifiedHostFixture.ForgerIp);
        Assert.Equal((VerdictAction.Reject, SpfResult.Neutral), (other.Action, other.SpfResult));
    }

    [Fact]
    public async Task A_bounce_notice_goes_only_to_a_verified_sender()
    {
        var recipient = NewRecipient();
        var bounce = await Add(recipient, "promo@bigmail.test", RecordAction.Bounce, "Please take me off your list.");

        var verified = await Check("promo@bigmail.test", recipient, VerifiedHostFixture.AuthorisedIp);
        Assert.Equal((VerdictAction.Bounce, 250u, "Please take me off your list."), (verified.Action, verified.SmtpCode, verified.NoticeText));

        var forged = await Check("promo@bigmail.test", recipient, VerifiedHostFixture.ForgerIp);
        Assert.Equal((VerdictAction.Discard, 250u, "", bounce.Id), (forged.Action, forged.SmtpCode, forged.NoticeText, forged.MatchedRecordId));
    }

    [Fact]
    public async Task An_address_allow_does_not_need_verification()
    {
        var recipient = NewRecipient();
        await Add(recipient, ".test", RecordAction.Reject, "");
        var allow = await Add(recipient, "boss@bigmail.test", RecordAction.Allow, "");

        var verdict = await Check("boss@bigmail.test", recipient, VerifiedHostFixture.ForgerIp);
        Assert.Equal((VerdictAction.Accept, allow.Id), (verdict.Action, verdict.MatchedRecordId));
    }

    [Fact]
    public async Task Spf_does_not_apply_to_instant_messages_and_an_im_handle_is_blocked_with_its_message()
    {
        var recipient = NewRecipient();
        await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "chat.test", Channel = Channel.Im, Action = RecordAction.Allow });
        await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = "bot@chat.test", Channel = Channel.Im, Action = RecordAction.Reject, Message = "Bots may not message me." });

        var friend = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "pal@chat.test", Recipient = recipient, Channel = Channel.Im, ClientIp = VerifiedHostFixture.ForgerIp });
        Assert.Equal((VerdictAction.Accept, true, VerificationMethod.ImService, SpfResult.None), (friend.Action, friend.SenderVerified, friend.Verification, friend.SpfResult));

        var bot = await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "bot@chat.test", Recipient = recipient, Channel = Channel.Im });
        Assert.Equal((VerdictAction.Reject, "Bots may not message me."), (bot.Action, bot.Text));
    }

    [Theory]
    [InlineData("999.1.1.1", "", "client_ip")]
    [InlineData("10.1", "", "client_ip")]
    [InlineData("not an ip", "", "client_ip")]
    [InlineData("192.0.2.1", "bad helo!", "helo")]
    public async Task A_bad_client_ip_or_helo_is_refused_naming_the_field(string clientIp, string helo, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = "a@bigmail.test", Recipient = NewRecipient(), ClientIp = clientIp, Helo = helo }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    private async Task<BlockingRecord> Add(string recipient, string pattern, RecordAction action, string message) =>
        (await records.AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = pattern, Action = action, Message = message })).Record;

    private async Task<Verdict> Check(string sender, string recipient, string clientIp) =>
        await verdicts.CheckRecipientAsync(new CheckRecipientRequest { Sender = sender, Recipient = recipient, ClientIp = clientIp, Helo = "mta.example" });
}
