using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Clearinghouse.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Clearinghouse.Grains.Violations;

/// <summary>
/// The aggregate of one domain's reported addresses (see <see cref="ISenderDomain"/>). Informational: it does not
/// escalate. Sender grains send their stored reports in batches, one-way; the aggregate stores them as events
/// (<see cref="EventLog{TSnapshot, TEvent, TItem}"/>, one small write per batch) every
/// <see cref="ViolationOptions.DomainFlushInterval"/>, or sooner when a batch is full.
/// </summary>
public sealed partial class SenderDomainGrain(
    [FromKeyedServices(StorageNames.Large)] IGrainStorage storage,
    IOptions<ViolationOptions> options,
    [FromKeyedServices(ClearinghouseClock.Key)] TimeProvider clock,
    ILogger<SenderDomainGrain> logger) : Grain, ISenderDomain
{
    public const string LogName = "senderdomain-log";

    /// <summary>A domain's stored log (its ledger's chunks in <see cref="LedgerEntryCodec"/>'s form).</summary>
    public static EventLog<LedgerSnapshot, DomainReport, LedgerEntry> OpenLog(IGrainStorage storage, GrainId grain) =>
        new(storage, grain, LogName, codec: LedgerEntryCodec.Instance);
    private const int FullBatch = 256;

    private readonly List<DomainReport> unwritten = [];
    private EventLog<LedgerSnapshot, DomainReport, LedgerEntry> log = null!;
    private ViolationLedger ledger = null!;
    private StateWriter writer = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        log = OpenLog(storage, this.GetGrainId());
        var stored = await log.LoadAsync();
        ledger = new ViolationLedger(stored.Snapshot ?? new LedgerSnapshot(), options.Value.LedgerLimits());
        ledger.Restore(stored.Chunks.SelectMany(c => c.Items), clock.GetUtcNow());
        foreach (var counted in stored.Events)
        {
            Count(counted.Report, counted.At);
        }

        writer = new StateWriter(GrainContext, WriteAsync, logger);
        var interval = options.Value.DomainFlushInterval;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    Task ISenderDomain.Add(LedgerEntry[] reports)
    {
        if (!writer.IsTrusted)
        {
            return Task.CompletedTask;
        }

        var now = clock.GetUtcNow();
        foreach (var report in reports)
        {
            if (Count(report, now))
            {
                unwritten.Add(new DomainReport(now, report));
            }
        }

        if (unwritten.Count >= FullBatch)
        {
            _ = FlushAsync(CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    Task<DomainStatus> ISenderDomain.GetStatus()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new DomainStatus(this.GetPrimaryKeyString(), ledger.Standing(now), ledger.DistinctSenders(now)));
    }

    private bool Count(LedgerEntry report, DateTimeOffset at) =>
        ledger.TryAdd(report.Key, report.RecipientHash, report.ProviderId, report.Sender, report.Hour, at) is not null;

    /// <summary>Stores the reports counted since the last write. A failed write reloads the grain (what it carried is lost).</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (unwritten.Count == 0 || !writer.IsTrusted)
        {
            return;
        }

        try
        {
            await writer.WriteAsync();
        }
        catch (StateNotPersistedException error)
        {
            LogFlushFailed(error);
        }
    }

    private Task WriteAsync()
    {
        var events = unwritten.ToList();
        unwritten.Clear();
        return log.WriteAsync(events, () => LedgerChunks.Checkpoint(ledger.Snapshot.Copy(), ledger));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A domain aggregate could not store its latest reports; it reloads from storage")]
    private partial void LogFlushFailed(Exception error);
}
