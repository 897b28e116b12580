using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.UnitTests.Verdicts;

public class RecipientChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Spammer = Address.Parse("spam@bulk.example", "sender");
    private readonly FakeTimeProvider clock = new(Now);
    private readonly RecordBook book = new(new RecipientState(), TimeSpan.FromDays(7));
    private int nextId;

    private BlockingRecord Add(string pattern, RecordAction action) =>
        book.Add(RecordRequestValidator.Validate(pattern, MessageChannel.Email, action, "go away", 0, RecordSource.User), Now, () => $"r{++nextId}").Record;

    // As a cache decides: a sender with a do-not-send request is left to the grain.
    private static bool TryDecide(RecipientChecks checks, CheckRequest request, [NotNullWhen(true)] out Verdict? verdict)
    {
        verdict = checks.Decide(request, DoNotSendFact.Unknown).Verdict;
        return verdict is not null;
    }

    private RecipientChecks Published(params string[] doNotSendKeys)
    {
        var checks = new RecipientChecks(clock);
        checks.Publish(new RecipientSnapshot(book.Index, book.SecondaryIndex, doNotSendKeys.ToFrozenSet()));
        return checks;
    }

    [Fact]
    public void Decides_from_the_published_snapshot_only()
    {
        var checks = Published();
        Add("bulk.example", RecordAction.Reject);

        // The record is in the book but not yet published (as while its write is in flight): not applied.
        Assert.True(TryDecide(checks, new CheckRequest(Spammer, MessageChannel.Email), out var before));
        Assert.Equal(VerdictAction.Accept, before.Action);

        checks.Publish(new RecipientSnapshot(book.Index, book.SecondaryIndex, FrozenSet<string>.Empty));
        Assert.True(TryDecide(checks, new CheckRequest(Spammer, MessageChannel.Email), out var after));
        Assert.Equal((VerdictAction.Reject, "go away"), (after.Action, after.Text));
    }

    [Fact]
    public async Task Hits_counted_while_retired_and_concurrently_with_the_last_drain_are_each_taken_exactly_once()
    {
        Add("bulk.example", RecordAction.Reject);
        var checks = Published();
        const int perThread = 20_000;
        long handedOn = 0;

        // Threads check as a gateway does (and take the hits themselves once they see the owner retired) while the
        // owner retires the checks and takes its last hits, as a deactivating grain or a dropped copy does.
        var checkers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                checks.Decide(new CheckRequest(Spammer, MessageChannel.Email), DoNotSendFact.Unknown);
                if (checks.IsRetired)
                {
                    Interlocked.Add(ref handedOn, checks.TakeHits().Sum(h => h.Count));
                }
            }
        })).ToArray();
        await Task.Delay(5);
        checks.Retire();
        var lastDrain = checks.TakeHits().Sum(h => h.Count);
        await Task.WhenAll(checkers);

        Assert.True(checks.IsRetired);
        Assert.Empty(checks.TakeHits());
        Assert.Equal(4L * perThread, lastDrain + handedOn);
    }

    [Fact]
    public void A_sender_with_a_do_not_send_request_is_left_to_the_grain()
    {
        Add("bulk.example", RecordAction.Reject);
        var checks = Published(DoNotSendRequest.KeyFor(Spammer, MessageChannel.Email));

        Assert.False(TryDecide(checks, new CheckRequest(Spammer, MessageChannel.Email), out _));
        Assert.True(TryDecide(checks, new CheckRequest(Address.Parse("other@bulk.example", "sender"), MessageChannel.Email), out _));
        Assert.Equal(VerdictAction.Reject, checks.Decide(new CheckRequest(Spammer, MessageChannel.Email), DoNotSendFact.Checked(null)).Verdict!.Action);
    }

    [Fact]
    public void An_allowed_address_overrules_its_do_not_send_request_without_the_grain()
    {
        Add("spam@bulk.example", RecordAction.Allow);
        var checks = Published(DoNotSendRequest.KeyFor(Spammer, MessageChannel.Email));
        Assert.True(TryDecide(checks, new CheckRequest(Spammer, MessageChannel.Email), out var verdict));
        Assert.Equal(VerdictAction.Accept, verdict.Action);
    }

    [Fact]
    public async Task Hits_tallied_from_many_threads_are_all_drained_into_the_book()
    {
        Add("bulk.example", RecordAction.Reject);
        var checks = Published();
        var request = new CheckRequest(Spammer, MessageChannel.Email);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                TryDecide(checks, request, out _);
            }
        })));
        clock.Advance(TimeSpan.FromMinutes(1));
        TryDecide(checks, request, out _);

        Assert.True(checks.DrainHitsInto(book));
        var view = book.List(clock.GetUtcNow()).Single();
        Assert.Equal((80_001L, Now.AddMinutes(1)), (view.HitCount, view.LastHitAt));
        Assert.False(checks.DrainHitsInto(book));
    }

    [Fact]
    public void Hits_of_a_record_removed_in_the_meantime_are_dropped()
    {
        var record = Add("bulk.example", RecordAction.Reject);
        var checks = Published();
        TryDecide(checks, new CheckRequest(Spammer, MessageChannel.Email), out _);
        book.Remove(record.Id);

        checks.DrainHitsInto(book);
        Assert.Empty(book.List(Now));
    }
}
