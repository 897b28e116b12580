using Clearinghouse.Domain;

namespace Clearinghouse.UnitTests.Violations;

/// <summary>A recipient's do-not-send requests and waiting reports are bounded; a write beyond a bound changes nothing.</summary>
public class DoNotSendLimitTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Recipient = Address.Parse("user@acme.example", "recipient");
    private static readonly MessageEvidence First = new("first@bulk.example", Now.AddDays(-5), "");

    private static DoNotSendRequest Request(string sender) =>
        DoNotSendValidator.Validate(sender, MessageChannel.Email, DoNotSendMethod.Reply, Now.AddDays(-4), First, TimeSpan.FromHours(48), "acme", "", Now);

    private static CheckRequest Check(string sender, string messageId) =>
        new(Address.Parse(sender, "sender"), MessageChannel.Email) { Message = new MessageEvidence(messageId, Now, ""), ProviderId = "acme" };

    [Fact]
    public void A_new_request_beyond_the_maximum_is_refused_naming_the_limit_but_a_replacement_is_not()
    {
        var state = new RecipientState();
        var book = new DoNotSendBook(state, maxRequests: 2);
        book.Record(Request("a@bulk.example"));
        book.Record(Request("b@bulk.example"));

        var refused = Assert.Throws<LimitReachedException>(() => book.Record(Request("c@bulk.example")));
        Assert.Equal(("sender", false), (refused.Field, refused.RetryLater));
        Assert.Contains("MaxDoNotSendRequests", refused.Message);
        Assert.Equal(2, state.DoNotSend.Count);

        book.Record(Request("b@bulk.example") with { Message = "stop it" });
        Assert.Equal("stop it", book.List().Single(v => v.Request.Sender.Value == "b@bulk.example").Request.Message);
    }

    [Fact]
    public void A_violation_beyond_the_waiting_reports_maximum_is_refused_until_they_are_delivered()
    {
        var state = new RecipientState();
        var book = new DoNotSendBook(state, maxUndelivered: 1);
        book.Record(Request("a@bulk.example"));
        Assert.True(book.TryFindInForce(Address.Parse("a@bulk.example", "sender"), MessageChannel.Email, Now, out var entry));

        Assert.True(book.RecordViolation(entry, Recipient, Check("a@bulk.example", "m1@bulk.example"), Now).IsNew);
        Assert.True(book.UndeliveredFull);
        var refused = Assert.Throws<LimitReachedException>(() => book.RecordViolation(entry, Recipient, Check("a@bulk.example", "m2@bulk.example"), Now));
        Assert.Equal(("recipient", true), (refused.Field, refused.RetryLater));
        Assert.Equal(1, entry.Violations);

        // The message already recorded is still answered as the same violation.
        Assert.False(book.RecordViolation(entry, Recipient, Check("a@bulk.example", "m1@bulk.example"), Now).IsNew);
    }

    [Fact]
    public async Task Delivery_forgets_each_report_sent_and_stops_at_the_first_failure()
    {
        var state = new RecipientState();
        var book = new DoNotSendBook(state);
        book.Record(Request("a@bulk.example"));
        book.TryFindInForce(Address.Parse("a@bulk.example", "sender"), MessageChannel.Email, Now, out var entry);
        for (var i = 0; i < 3; i++)
        {
            book.RecordViolation(entry, Recipient, Check("a@bulk.example", $"m{i}@bulk.example"), Now);
        }

        var sent = new List<string>();
        await Assert.ThrowsAsync<TimeoutException>(() => book.DeliverAsync(report =>
        {
            if (sent.Count == 1)
            {
                throw new TimeoutException("the sender's grain did not answer");
            }

            sent.Add(report.SecondMessage.MessageId);
            return Task.CompletedTask;
        }));

        Assert.Equal(["m0@bulk.example"], sent);
        Assert.Equal(["m1@bulk.example", "m2@bulk.example"], book.Undelivered.Select(r => r.SecondMessage.MessageId));
        await book.DeliverAsync(_ => Task.CompletedTask);
        Assert.Empty(book.Undelivered);
    }
}
