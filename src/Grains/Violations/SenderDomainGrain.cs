using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// The aggregate of one domain's reported addresses (see <see cref="ISenderDomain"/>). Informational: it does not
/// escalate. Reports arrive one-way from sender grains; writes are coalesced on a timer, one in flight at a time (see
/// <see cref="StateWriter"/>).
/// </summary>
public sealed class SenderDomainGrain(
    [PersistentState("senderdomain", StorageNames.Large)] IPersistentState<ViolationLedgerData> state,
    IOptions<ViolationOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<SenderDomainGrain> logger) : Grain, ISenderDomain
{
    private ViolationLedger ledger = null!;
    private StateWriter writer = null!;
    private bool dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ledger = new ViolationLedger(state.State, options.Value.Window, options.Value.HalfLife, options.Value.MaxEvidence);
        writer = new StateWriter(GrainContext, state, logger);
        var interval = options.Value.DomainFlushInterval;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    Task ISenderDomain.Add(ViolationReport report)
    {
        dirty |= ledger.TryAdd(report, clock.GetUtcNow());
        return Task.CompletedTask;
    }

    Task<DomainStatus> ISenderDomain.GetStatus()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new DomainStatus(this.GetPrimaryKeyString(), ledger.Standing(now), ledger.DistinctSenders(now)));
    }

    /// <summary>Writes the reports added since the last write. A failed write reloads the grain (the unwritten reports are lost).</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!dirty || !writer.IsTrusted)
        {
            return;
        }

        dirty = false;
        await writer.WriteAsync();
    }
}
