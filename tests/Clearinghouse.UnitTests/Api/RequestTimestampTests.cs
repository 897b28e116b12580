using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.UnitTests.Api;

/// <summary>
/// Timestamps in requests are the caller's: one protobuf cannot convert is bad input naming the field, not an internal
/// error (found by fuzzing). The parser itself (<see cref="ProtoTime"/>) is tested in <see cref="ProtoTimeTests"/>.
/// </summary>
public sealed class RequestTimestampTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<long, int> InvalidTimestamps => new()
    {
        { 253_402_300_800, 0 },
        { long.MaxValue, 0 },
        { -62_135_596_801, 0 },
        { 0, 1_000_000_000 },
        { 0, -1 },
    };

    [Theory]
    [MemberData(nameof(InvalidTimestamps))]
    public void A_timestamp_outside_what_protobuf_allows_is_refused_naming_the_field(long seconds, int nanos)
    {
        var invalid = new Timestamp { Seconds = seconds, Nanos = nanos };

        var doNotSend = ValidDoNotSend();
        doNotSend.FirstMessage.Date = invalid;
        Assert.Equal("first_message.date", Assert.Throws<InvalidFieldException>(() => ViolationMapping.ToDomain(doNotSend, "acme", TimeSpan.FromDays(2), Now)).Field);

        var report = ValidReport();
        report.RequestedAt = invalid;
        Assert.Equal("requested_at", Assert.Throws<InvalidFieldException>(() => ViolationMapping.ToDomain(report, Address.Parse("user@acme.example", "recipient"), "acme", TimeSpan.FromDays(2), Now)).Field);

        var check = new V1.CheckRecipientRequest { Sender = "a@b.example", Recipient = "c@acme.example", MessageId = "x@y", MessageDate = invalid };
        Assert.Equal("message_date", Assert.Throws<InvalidFieldException>(() => ViolationMapping.CheckedMessage(check, TimeProvider.System)).Field);
    }

    [Fact]
    public void Valid_requests_still_map()
    {
        Assert.Equal("news@shop.example", ViolationMapping.ToDomain(ValidDoNotSend(), "acme", TimeSpan.FromDays(2), Now).Sender.Value);
        Assert.Equal("acme", ViolationMapping.ToDomain(ValidReport(), Address.Parse("user@acme.example", "recipient"), "acme", TimeSpan.FromDays(2), Now).ProviderId);
    }

    private static V1.MessageEvidence Evidence(string id, DateTimeOffset date) =>
        new() { MessageId = id, Date = Timestamp.FromDateTimeOffset(date), HeaderDigest = new string('a', 64) };

    private static V1.RecordDoNotSendRequest ValidDoNotSend() => new()
    {
        Recipient = "user@acme.example",
        Sender = "news@shop.example",
        Method = V1.DoNotSendMethod.Reply,
        RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-1)),
        FirstMessage = Evidence("first@shop.example", Now.AddDays(-2)),
    };

    private static V1.SubmitViolationRequest ValidReport() => new()
    {
        ReportId = "r1",
        Recipient = "user@acme.example",
        Sender = "news@shop.example",
        RequestMethod = V1.DoNotSendMethod.Reply,
        FirstMessage = Evidence("first@shop.example", Now.AddDays(-10)),
        RequestedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-9)),
        SecondMessage = Evidence("second@shop.example", Now.AddDays(-1)),
    };
}
