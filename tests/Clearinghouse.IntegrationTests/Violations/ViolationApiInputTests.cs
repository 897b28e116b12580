using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests;

/// <summary>Bad input and foreign credentials on every API of issue 3: a clear refusal, and nothing changes.</summary>
[Collection(HostCollection.Name)]
public class ViolationApiInputTests(HostFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly string recipient = $"user-{Guid.NewGuid():N}@{TestTenants.AcmeDomain}";
    private readonly string sender = $"s-{Guid.NewGuid():N}@bulk.example";

    public static TheoryData<string, Action<RecordDoNotSendRequest>> BadDoNotSend => new()
    {
        { "recipient", r => r.Recipient = "nobody" },
        { "sender", r => r.Sender = "" },
        { "sender", r => r.Sender = "no at sign" },
        { "sender", r => r.Sender = "*@bulk.example" },
        { "channel", r => r.Channel = (Channel)9 },
        { "method", r => r.Method = DoNotSendMethod.Unspecified },
        { "requested_at", r => r.RequestedAt = null },
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(1)) },
        { "first_message", r => r.FirstMessage = null },
        { "first_message.message_id", r => r.FirstMessage.MessageId = "" },
        { "first_message.message_id", r => r.FirstMessage.MessageId = "no-at-sign" },
        { "first_message.date", r => r.FirstMessage.Date = null },
        { "first_message.date", r => r.FirstMessage.Date = Timestamp.FromDateTimeOffset(Now) },
        { "first_message.header_digest", r => r.FirstMessage.HeaderDigest = "" },
        { "first_message.header_digest", r => r.FirstMessage.HeaderDigest = "abc" },
        { "message", r => r.Message = new string('m', 451) },
        { "requested_at", r => r.RequestedAt = new Timestamp { Seconds = r.RequestedAt.Seconds, Nanos = 1_000_000_000 } },
        { "requested_at", r => r.RequestedAt = new Timestamp { Seconds = 253_402_300_800 } },
        { "first_message.date", r => r.FirstMessage.Date = new Timestamp { Seconds = r.FirstMessage.Date.Seconds, Nanos = -1 } },
        { "first_message.date", r => r.FirstMessage.Date = new Timestamp { Seconds = -62_135_596_801 } },
    };

    public static TheoryData<string, Action<SubmitViolationRequest>> BadReports => new()
    {
        { "report_id", r => r.ReportId = " " },
        { "recipient", r => r.Recipient = "" },
        { "sender", r => r.Sender = "bad sender" },
        { "sender", r => r.Sender = "*@bulk.example" },
        { "first_message", r => r.FirstMessage = null },
        { "second_message", r => r.SecondMessage = null },
        { "request_method", r => r.RequestMethod = DoNotSendMethod.Unspecified },
        { "requested_at", r => r.RequestedAt = null },
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(-30)) },
        { "requested_at", r => r.RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-20)) },
        { "second_message.date", r => r.SecondMessage.Date = Timestamp.FromDateTimeOffset(Now.AddDays(-9)) },
        { "second_message.message_id", r => r.SecondMessage.MessageId = r.FirstMessage.MessageId },
        { "second_message.header_digest", r => r.SecondMessage.HeaderDigest = "zz" },
        { "requested_at", r => r.RequestedAt = new Timestamp { Seconds = r.RequestedAt.Seconds, Nanos = int.MaxValue } },
        { "requested_at", r => r.RequestedAt = new Timestamp { Seconds = long.MinValue } },
        { "first_message.date", r => r.FirstMessage.Date = new Timestamp { Seconds = long.MaxValue } },
        { "second_message.date", r => r.SecondMessage.Date = new Timestamp { Seconds = r.SecondMessage.Date.Seconds, Nanos = -5 } },
        { "authentication.spf", r => r.Authentication = new AuthenticationResults { Spf = (SpfResult)99 } },
        { "authentication.dkim", r => r.Authentication = new AuthenticationResults { Dkim = (DkimResult)9 } },
        { "authentication.dmarc", r => r.Authentication = new AuthenticationResults { Dmarc = (DmarcResult)(-1) } },
        { "authentication.dkim_domain", r => r.Authentication = new AuthenticationResults { Dkim = DkimResult.Pass, DkimDomain = "not a domain" } },
        { "authentication_results_header", r => r.AuthenticationResultsHeader = "mx.example; dmarc=broken header.from=bulk.example" },
        { "authentication_results_header", r => r.AuthenticationResultsHeader = "mx.example; spf=sortof smtp.mailfrom=a@bulk.example" },
        { "authentication_results_header", r => r.AuthenticationResultsHeader = "mx.example; " + new string('x', 9000) },
    };

    public static TheoryData<string, Action<Thresholds>> BadThresholds => new()
    {
        { "mode", t => t.Mode = ThresholdMode.Unspecified },
        { "absolute_threshold", t => t.AbsoluteThreshold = 1 },
        { "rank_divisor", t => t.RankDivisor = 50 },
        { "minimum_providers", t => t.MinimumProviders = 1 },
    };

    [Theory]
    [MemberData(nameof(BadDoNotSend))]
    public async Task A_bad_do_not_send_request_is_refused_naming_the_field_and_nothing_is_stored(string field, Action<RecordDoNotSendRequest> spoil)
    {
        var request = GoodRequest();
        spoil(request);
        await AssertInvalid(field, async () => await fixture.Host.DoNotSend().RecordRequestAsync(request));
        var stored = await fixture.Host.DoNotSend().ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient });
        Assert.Empty(stored.Requests);
    }

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task A_bad_violation_report_is_refused_naming_the_field_and_nothing_is_counted(string field, Action<SubmitViolationRequest> spoil)
    {
        var report = GoodReport();
        spoil(report);
        await AssertInvalid(field, async () => await fixture.Host.Reports().SubmitViolationAsync(report));
        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal(0ul, status.TotalReports);
    }

    [Fact]
    public async Task A_report_is_counted_once_per_report_id()
    {
        var first = await fixture.Host.Reports().SubmitViolationAsync(GoodReport());
        var again = await fixture.Host.Reports().SubmitViolationAsync(GoodReport());
        Assert.Equal((false, EscalationState.None), (first.Duplicate, first.SenderState));
        Assert.True(again.Duplicate);
        var status = await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
        Assert.Equal((1ul, 1u, 1u), (status.TotalReports, status.Standing.DistinctRecipients, status.Standing.DistinctProviders));
    }

    [Theory]
    [MemberData(nameof(BadThresholds))]
    public async Task Bad_thresholds_are_refused_naming_the_field_and_the_settings_stay(string field, Action<Thresholds> spoil)
    {
        var before = await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        var request = before.Clone();
        spoil(request);
        await AssertInvalid(field, async () => await fixture.Host.Operator().SetThresholdsAsync(request));
        Assert.Equal(before, await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest()));
    }

    [Fact]
    public async Task Operators_change_the_thresholds_without_a_restart()
    {
        var operators = fixture.Host.Operator();
        var before = await operators.GetThresholdsAsync(new GetThresholdsRequest());
        Assert.Equal((ThresholdMode.Absolute, 5u, 2u), (before.Mode, before.AbsoluteThreshold, before.MinimumProviders));
        try
        {
            var ranked = new Thresholds { Mode = ThresholdMode.Ranked, AbsoluteThreshold = 7, RankDivisor = 500, MinimumProviders = 3 };
            Assert.Equal(ranked, await operators.SetThresholdsAsync(ranked));
            Assert.Equal(ranked, await operators.GetThresholdsAsync(new GetThresholdsRequest()));
        }
        finally
        {
            await operators.SetThresholdsAsync(before);
        }
    }

    [Theory]
    [InlineData("message_id", "no-at-sign", "")]
    [InlineData("header_digest", "m@example.com", "not-hex")]
    public async Task A_check_with_bad_message_evidence_is_refused_naming_the_field(string field, string messageId, string digest)
    {
        await AssertInvalid(field, async () => await fixture.Host.Verdicts().CheckRecipientAsync(new CheckRecipientRequest
        {
            Sender = sender,
            Recipient = recipient,
            MessageId = messageId,
            HeaderDigest = digest,
        }));
    }

    [Theory]
    [InlineData(0L, 1_000_000_000)]
    [InlineData(0L, -1)]
    [InlineData(253_402_300_800L, 0)]
    [InlineData(-62_135_596_801L, 0)]
    public async Task A_check_with_a_message_date_out_of_range_is_refused_naming_the_field(long seconds, int nanos)
    {
        var check = new CheckRecipientRequest { Sender = sender, Recipient = recipient, MessageId = "m@example.com", MessageDate = new Timestamp { Seconds = seconds, Nanos = nanos } };
        await AssertInvalid("message_date", async () => await fixture.Host.Verdicts().CheckRecipientAsync(check));

        // On a stream the check gets an error answer naming the field, and the stream goes on.
        var answers = await fixture.Host.Verdicts().AskAsync(check, new CheckRecipientRequest { Sender = sender, Recipient = recipient });

        Assert.Equal((int)StatusCode.InvalidArgument, answers[1].Error.Code);
        Assert.StartsWith("message_date:", answers[1].Error.Message);
        Assert.Equal(VerdictAction.Accept, answers[2].Verdict.Action);
    }

    [Fact]
    public async Task Operator_inputs_are_checked()
    {
        await AssertInvalid("sender", async () => await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = "x" }));
        await AssertInvalid("sender", async () => await fixture.Host.Operator().DelistAsync(new DelistRequest { Sender = "" }));
        await AssertInvalid("reason", async () => await fixture.Host.Operator().DelistAsync(new DelistRequest { Sender = sender, Reason = new string('r', 451) }));
        await AssertInvalid("limit", async () => await fixture.Host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest { Limit = 5000 }));
        await AssertInvalid("status", async () => await fixture.Host.Operator().ListDeliveriesAsync(new ListDeliveriesRequest { Status = (DeliveryStatus)42 }));
        var notListed = await fixture.Host.Operator().DelistAsync(new DelistRequest { Sender = sender });
        Assert.False(notListed.Delisted);
    }

    [Fact]
    public async Task Another_providers_key_cannot_touch_these_recipients_requests_or_report_for_them()
    {
        var acme = fixture.Host.DoNotSend();
        await acme.RecordRequestAsync(GoodRequest());
        var other = fixture.Host.DoNotSend(TestTenants.OtherKey);

        await AssertDenied(async () => await other.RecordRequestAsync(GoodRequest()));
        await AssertDenied(async () => await other.ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient }));
        await AssertDenied(async () => await other.WithdrawRequestAsync(new WithdrawDoNotSendRequest { Recipient = recipient, Sender = sender }));
        await AssertDenied(async () => await fixture.Host.Reports(TestTenants.OtherKey).SubmitViolationAsync(GoodReport()));

        var stored = await acme.ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient });
        Assert.Equal(sender, stored.Requests.Single().Sender);
        Assert.Equal(0ul, (await fixture.Host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender })).TotalReports);

        var withdrawn = await acme.WithdrawRequestAsync(new WithdrawDoNotSendRequest { Recipient = recipient, Sender = sender });
        Assert.True(withdrawn.Withdrawn);
        Assert.Empty((await acme.ListRequestsAsync(new ListDoNotSendRequest { Recipient = recipient })).Requests);
    }

    [Fact]
    public async Task A_provider_key_is_refused_on_every_operator_call_and_changes_nothing()
    {
        var asProvider = fixture.Host.Operator(TestTenants.AcmeKey);
        var before = await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest());
        await AssertDenied(async () => await asProvider.GetThresholdsAsync(new GetThresholdsRequest()));
        await AssertDenied(async () => await asProvider.SetThresholdsAsync(new Thresholds { Mode = ThresholdMode.Absolute, AbsoluteThreshold = 2, RankDivisor = 100, MinimumProviders = 2 }));
        await AssertDenied(async () => await asProvider.GetSenderAsync(new GetSenderRequest { Sender = sender }));
        await AssertDenied(async () => await asProvider.DelistAsync(new DelistRequest { Sender = sender }));
        await AssertDenied(async () => await asProvider.ListDeliveriesAsync(new ListDeliveriesRequest()));
        Assert.Equal(before, await fixture.Host.Operator().GetThresholdsAsync(new GetThresholdsRequest()));
    }

    [Fact]
    public async Task The_filter_list_needs_a_credential()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Host.FilterList(apiKey: null).GetSnapshotAsync(new GetFilterListSnapshotRequest()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var snapshot = await fixture.Host.FilterList(TestTenants.OtherKey).GetSnapshotAsync(new GetFilterListSnapshotRequest());
        Assert.NotNull(snapshot);
    }

    private static async Task AssertInvalid(string field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    private static async Task AssertDenied(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    private RecordDoNotSendRequest GoodRequest() => new()
    {
        Recipient = recipient,
        Sender = sender,
        Method = DoNotSendMethod.Reply,
        RequestedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-1)),
        FirstMessage = new MessageEvidence { MessageId = "first@bulk.example", Date = Timestamp.FromDateTimeOffset(Now.AddHours(-2)), HeaderDigest = Digest("first") },
    };

    private SubmitViolationRequest GoodReport() => new()
    {
        ReportId = "report-1",
        Recipient = recipient,
        Sender = sender,
        FirstMessage = new MessageEvidence { MessageId = "first@bulk.example", Date = Timestamp.FromDateTimeOffset(Now.AddDays(-10)), HeaderDigest = Digest("first") },
        RequestMethod = DoNotSendMethod.WebForm,
        RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-10).AddHours(1)),
        SecondMessage = new MessageEvidence { MessageId = "second@bulk.example", Date = Timestamp.FromDateTimeOffset(Now.AddHours(-1)), HeaderDigest = Digest("second") },
    };

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
