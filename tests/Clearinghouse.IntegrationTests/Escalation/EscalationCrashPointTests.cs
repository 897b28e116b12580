using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// An escalation interrupted at each of its steps — the outbox or the filter list failing to store, the sender failing
/// to record a step it has done (before or after storage has it), the sender's grain deactivated in between — goes on
/// from the stored case and ends with exactly one outbox delivery per destination and exactly one filter-list add.
/// </summary>
[Collection(FastWritesClusterCollection.Name)]
public class EscalationCrashPointTests(FastWritesClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static TheoryData<string, WriteFault> CrashPoints => new()
    {
        { "outbox", WriteFault.FailBeforeWriting },
        { "outbox", WriteFault.TimeoutAfterWriting },
        { "sender records the case queued", WriteFault.FailBeforeWriting },
        { "sender records the case queued", WriteFault.TimeoutAfterWriting },
        { "filter list", WriteFault.FailBeforeWriting },
        { "filter list", WriteFault.TimeoutAfterWriting },
        { "sender records the listing", WriteFault.FailBeforeWriting },
        { "sender records the listing", WriteFault.TimeoutAfterWriting },
    };

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task An_escalation_interrupted_at_a_step_completes_once(string crashPoint, WriteFault fault)
    {
        var sender = NewSender();
        var failed = fixture.Faults.Arm(fault, (_, grain, state) => crashPoint switch
        {
            "outbox" => state is OutboxState outbox && outbox.Cases.Values.Any(c => c.Sender == sender),
            "filter list" => state is FilterListChangeRecord { Change: { } added } && added.Entry == FilterEntry.ForAddress(sender),
            "sender records the case queued" => grain == SenderGrain(sender) && Records(state, EscalationStep.CaseQueued),
            _ => grain == SenderGrain(sender) && Records(state, EscalationStep.Listed),
        });

        var caseId = await OpenCaseAsync(sender);
        await failed.WaitAsync(TimeSpan.FromSeconds(10));

        await AssertEscalatedOnceAsync(sender, caseId);
    }

    [Fact]
    public async Task An_escalation_whose_sender_grain_is_deactivated_between_steps_completes_once()
    {
        var sender = NewSender();
        var failed = fixture.Faults.Arm(WriteFault.FailBeforeWriting, (_, _, state) => state is OutboxState outbox && outbox.Cases.Values.Any(c => c.Sender == sender));
        var caseId = await OpenCaseAsync(sender);
        await failed.WaitAsync(TimeSpan.FromSeconds(10));

        // The case is stored, its first step failed: the grain goes away before the reminder runs the steps again.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        await AssertEscalatedOnceAsync(sender, caseId);
    }

    [Fact]
    public async Task Reports_to_a_sender_are_answered_while_its_escalation_waits_for_a_slow_outbox()
    {
        var sender = NewSender();
        var release = new TaskCompletionSource();
        var held = fixture.Faults.Hold((_, _, state) => state is OutboxState outbox && outbox.Cases.Values.Any(c => c.Sender == sender), release.Task);
        try
        {
            var caseId = await OpenCaseAsync(sender).WaitAsync(TimeSpan.FromSeconds(10));
            await held.WaitAsync(TimeSpan.FromSeconds(10));

            // The outbox is still storing the case; the sender answers other reports and reads meanwhile.
            var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
            var seventh = await grain.Report(Report(sender, 7)).WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal((false, EscalationState.Escalated), (seventh.Duplicate, seventh.State));
            Assert.Equal(7, (await grain.GetStatus().WaitAsync(TimeSpan.FromSeconds(5))).TotalReports);

            release.SetResult();
            await AssertEscalatedOnceAsync(sender, caseId, reports: 7);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>Six recipients at two providers: the sixth report opens the case and is answered before any step.</summary>
    private async Task<string> OpenCaseAsync(Address sender)
    {
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        ReportOutcome outcome = null!;
        for (var i = 0; i < 6; i++)
        {
            outcome = await grain.Report(Report(sender, i));
        }

        Assert.Contains(outcome.State, (EscalationState[])[EscalationState.Escalated, EscalationState.Listed]);
        return outcome.CaseId!;
    }

    private async Task AssertEscalatedOnceAsync(Address sender, string caseId, long reports = 6)
    {
        var grain = fixture.Grains.GetGrain<ISender>(sender.Value);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await RetryAsync(grain.GetStatus)).State != EscalationState.Listed)
        {
            Assert.True(DateTime.UtcNow < deadline, "the escalation did not complete within 20 s");
            await Task.Delay(50);
        }

        var outbox = fixture.Storage.Stored<OutboxState>(fixture.Grains.GetGrain<IEscalationOutbox>(0).GetGrainId())!;
        Assert.Equal(caseId, outbox.Cases.Values.Single(c => c.Sender == sender).CaseId);
        Assert.Single(outbox.Deliveries, d => d.CaseId == caseId);

        var list = await StoredFilterList.LoadAsync(fixture.Storage, fixture.Grains.GetGrain<IFilterList>(0).GetGrainId());
        var change = Assert.Single(list.ReadFrom(0).Changes, c => c.Entry == FilterEntry.ForAddress(sender));
        Assert.Equal((FilterChangeOp.Add, caseId), (change.Op, change.CaseId));

        var stored = await StoredViolations.SenderAsync(fixture.Storage, SenderGrain(sender), sender);
        Assert.Equal((EscalationState.Listed, caseId, reports), (stored.State, stored.CaseId, stored.Ledger.TotalReports));
    }

    private GrainId SenderGrain(Address sender) => fixture.Grains.GetGrain<ISender>(sender.Value).GetGrainId();

    internal static bool Records(object? state, EscalationStep step) =>
        state is LogSlot<SenderEvent> slot && slot.Events.Any(e => e.Transition?.Step == step);

    private static Address NewSender() => Address.Parse($"s-{Guid.NewGuid():N}@bulk.example", "sender");

    /// <summary>The report of recipient <paramref name="i"/> (0-2 at acme, then other): six list a sender.</summary>
    internal static ViolationReport Report(Address sender, int i) =>
        new(
            ViolationReport.ViolationKey(Address.Parse($"r{i}@acme.example", "recipient"), sender, MessageChannel.Email, $"m{i}@bulk.example"),
            sender,
            Sha256Hex.Of($"r{i}@acme.example"),
            i < 3 ? "acme" : "other",
            new MessageEvidence("first@bulk.example", Now.AddDays(-4), new string('a', 64)),
            DoNotSendMethod.Reply,
            Now.AddDays(-3),
            new MessageEvidence($"m{i}@bulk.example", Now, new string('b', 64)),
            Now,
            ReportSource.Provider,
            MessageChannel.Email);

    internal static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (StateNotPersistedException) when (attempt < 10)
            {
                await Task.Delay(50);
            }
        }
    }
}
