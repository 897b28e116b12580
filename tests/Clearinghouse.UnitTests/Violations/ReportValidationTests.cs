using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

public class ReportValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Recipient = Address.Parse("user@acme.example", "recipient");
    private static readonly MessageEvidence First = new("first@bulk.example", Now.AddDays(-5), "");
    private static readonly MessageEvidence Second = new("second@bulk.example", Now.AddHours(-1), "");

    private static ViolationReport Validate(MessageEvidence? first = null, DateTimeOffset? requested = null, MessageEvidence? second = null, string reportId = "r1") =>
        ViolationReportValidator.Validate(reportId, Recipient, "spam@bulk.example", MessageChannel.Email, first ?? First, DoNotSendMethod.Reply,
            requested ?? Now.AddDays(-4), second ?? Second, "acme", TimeSpan.FromHours(48), Now);

    [Fact]
    public void A_complete_report_is_keyed_by_its_violation_whatever_its_id_and_hides_the_recipient()
    {
        var report = Validate();
        var spammer = Address.Parse("spam@bulk.example", "sender");
        Assert.Equal(ViolationReport.ViolationKey(Recipient, spammer, MessageChannel.Email, "second@bulk.example"), report.ReportKey);
        Assert.Equal(report.ReportKey, Validate(reportId: "another id").ReportKey);
        Assert.NotEqual(report.ReportKey, Validate(second: Second with { MessageId = "third@bulk.example" }).ReportKey);
        Assert.Equal(Sha256Hex.Of("user@acme.example"), report.RecipientHash);
    }

    [Fact]
    public void A_report_without_evidence_or_out_of_order_is_refused()
    {
        Assert.Equal("report_id", Assert.Throws<InvalidFieldException>(() => Validate(reportId: "")).Field);
        Assert.Equal("requested_at", Assert.Throws<InvalidFieldException>(() => Validate(requested: Now)).Field);
        Assert.Equal("requested_at", Assert.Throws<InvalidFieldException>(() => Validate(requested: Now.AddDays(-6))).Field);
        Assert.Equal("second_message.date", Assert.Throws<InvalidFieldException>(() => Validate(requested: Now.AddDays(-1))).Field);
        Assert.Equal("second_message.message_id", Assert.Throws<InvalidFieldException>(() => Validate(second: Second with { MessageId = First.MessageId })).Field);
    }

    [Theory]
    [InlineData("<abc@example.com>", "abc@example.com")]
    [InlineData(" abc@example.com ", "abc@example.com")]
    public void Message_ids_are_stored_without_brackets(string input, string stored) =>
        Assert.Equal(stored, MessageEvidence.ParseMessageId(input, "message_id"));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a b@example.com")]
    [InlineData("abc@")]
    public void Malformed_message_ids_are_refused(string input) =>
        Assert.Throws<InvalidFieldException>(() => MessageEvidence.ParseMessageId(input, "message_id"));

    [Fact]
    public void A_message_after_the_grace_period_is_a_violation_recorded_once_per_message()
    {
        var state = new RecipientState();
        var book = new DoNotSendBook(state);
        var sender = Address.Parse("spam@bulk.example", "sender");
        var request = DoNotSendValidator.Validate("spam@bulk.example", MessageChannel.Email, DoNotSendMethod.Reply, Now, First, TimeSpan.FromHours(48), "acme", "", Now);
        book.Record(request);

        Assert.False(book.TryFindInForce(sender, MessageChannel.Email, Now.AddHours(47), out _));
        Assert.False(book.TryFindInForce(sender, MessageChannel.Im, Now.AddHours(49), out _));
        Assert.True(book.TryFindInForce(sender, MessageChannel.Email, Now.AddHours(49), out var entry));

        var check = new CheckRequest(sender, MessageChannel.Email) { Message = Second, ProviderId = "acme" };
        var (report, isNew) = book.RecordViolation(entry, Recipient, check, Now.AddHours(49));
        var (again, isNewAgain) = book.RecordViolation(entry, Recipient, check, Now.AddHours(50));
        Assert.True(isNew);
        Assert.False(isNewAgain);
        Assert.Equal(report.ReportKey, again.ReportKey);
        Assert.Single(book.Undelivered);
        Assert.Equal(1, book.List().Single().Violations);

        // Without evidence, one violation per hour: an MTA retrying the message does not count again.
        var bare = new CheckRequest(sender, MessageChannel.Email);
        Assert.True(book.RecordViolation(entry, Recipient, bare, Now.AddHours(60)).IsNew);
        Assert.False(book.RecordViolation(entry, Recipient, bare, Now.AddHours(60).AddMinutes(1)).IsNew);
        Assert.True(book.RecordViolation(entry, Recipient, bare, Now.AddHours(61)).IsNew);
    }

    // Found by fuzzing: requested + grace period overflowed (ArgumentOutOfRangeException, an internal error) for a
    // request dated at the end of the calendar; it is refused as a report from the future.
    [Fact]
    public void A_report_dated_at_the_end_of_the_calendar_is_refused_not_overflowed()
    {
        var end = DateTimeOffset.MaxValue.AddSeconds(-1);
        var error = Assert.Throws<InvalidFieldException>(() => Validate(first: First with { Date = end.AddDays(-1) }, requested: end, second: Second with { Date = end }));
        Assert.Equal("second_message.date", error.Field);
    }
}
