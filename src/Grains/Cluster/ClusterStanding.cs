using System.Net.Sockets;
using Clearinghouse.Contracts;
using Clearinghouse.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Clearinghouse.Grains.Cluster;

/// <summary>
/// Whether this silo may answer from memory (its grains' state, its read cache of recipients): only while it is an
/// active member in its own view of the cluster and a read of its row of the membership table, started less than
/// <see cref="ClusterStandingOptions.ConfirmValidity"/> ago, found it active. A silo frozen (SIGSTOP) or cut off long
/// enough to be declared dead therefore stops answering from memory at once when it wakes: its last confirmation is
/// too old, and the next read finds it dead. It also notes when another silo was declared dead (by others' votes, not
/// by leaving), so that writes to grains activated around then wait until such a silo can no longer answer from its
/// memory either (see docs/RECIPIENT-CACHE.md).
/// </summary>
public sealed partial class ClusterStanding : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly SiloAddress self;
    private readonly IClusterMembershipService membership;
    private readonly IMembershipTable table;
    private readonly ClusterStandingOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<ClusterStanding> logger;
    private readonly long validityTicks;
    private readonly long uncleanDeathSlackTicks;
    private readonly TimeSpan recentVoteWindow;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];

    // Timestamp until which this silo may answer from memory; long.MinValue when it may not.
    private long confirmedUntil = long.MinValue;

    // The start of the latest read that found this silo not active: an older read must not confirm it again.
    private long revokedBy = long.MinValue;
    private long lastUncleanDeath = long.MinValue;
    private long lastMembershipChange = long.MinValue;
    private Task? confirming;
    private bool confirmFailureLogged;

    public ClusterStanding(
        ILocalSiloDetails localSilo,
        IClusterMembershipService membership,
        IMembershipTable table,
        IOptions<ClusterStandingOptions> options,
        IOptions<ClusterMembershipOptions> membershipOptions,
        TimeProvider clock,
        ILogger<ClusterStanding> logger)
    {
        self = localSilo.SiloAddress;
        this.membership = membership;
        this.table = table;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
        validityTicks = Ticks(this.options.ConfirmValidity);

        // A silo learns of a death within one refresh of the membership table (gossip is usually faster), so a grain
        // activated up to that long before this silo learned of it may have taken over from the dead silo.
        var refresh = membershipOptions.Value.TableRefreshTimeout;
        uncleanDeathSlackTicks = Ticks(refresh + this.options.ConfirmInterval);
        recentVoteWindow = refresh + this.options.ConfirmValidity + TimeSpan.FromSeconds(30);
    }

    /// <summary>True while this silo may answer from memory. A volatile read and a clock read.</summary>
    public bool IsConfirmed => Volatile.Read(ref confirmedUntil) > clock.GetTimestamp();

    /// <summary>
    /// True when another silo joined, left or died less than <paramref name="window"/> ago in this silo's view (or this
    /// silo has not seen the cluster yet): Orleans' grain directory may then briefly hold two activations of one grain.
    /// </summary>
    public bool MembershipChangedWithin(TimeSpan window)
    {
        var changed = Volatile.Read(ref lastMembershipChange);
        return changed == long.MinValue || clock.GetElapsedTime(changed) < window;
    }

    /// <summary>Returns once this silo is confirmed (reading the membership table if needed), or throws <see cref="NotAnActiveMemberException"/>.</summary>
    public ValueTask EnsureConfirmedAsync() => IsConfirmed ? ValueTask.CompletedTask : new(ConfirmOrThrowAsync());

    /// <summary>
    /// How long a write acknowledged now by a grain activated at <paramref name="activatedAt"/> (a timestamp of the
    /// same clock) must still wait: until a silo declared dead shortly before could no longer answer from memory.
    /// Zero almost always.
    /// </summary>
    public TimeSpan DelayAfterUncleanDeath(long activatedAt)
    {
        var death = Volatile.Read(ref lastUncleanDeath);
        if (death == long.MinValue || activatedAt < death - uncleanDeathSlackTicks)
        {
            return TimeSpan.Zero;
        }

        // A tenth more for clocks that run at slightly different rates.
        var remaining = clock.GetElapsedTime(clock.GetTimestamp(), death + validityTicks + (validityTicks / 10));
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterStanding), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => stopping.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        loops.Add(Task.Run(() => ConfirmLoopAsync(stopping.Token), CancellationToken.None));
        loops.Add(Task.Run(() => WatchMembershipAsync(stopping.Token), CancellationToken.None));
        try
        {
            await ConfirmNowAsync().WaitAsync(options.ConfirmWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The loop keeps trying; until then nothing is answered from memory.
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();

        // The membership update stream may not end on cancellation until the next update: a stop waits a moment for the
        // loops, not the whole shutdown timeout (a silo stopped by SIGTERM took over 10 s).
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ConfirmOrThrowAsync()
    {
        try
        {
            // A read already under way may have started before a freeze: if it does not confirm, read again.
            await ConfirmNowAsync().WaitAsync(options.ConfirmWait);
            if (!IsConfirmed)
            {
                await ConfirmNowAsync().WaitAsync(options.ConfirmWait);
            }
        }
        catch (TimeoutException)
        {
        }

        if (!IsConfirmed)
        {
            throw new NotAnActiveMemberException(
                $"this silo has not confirmed within {options.ConfirmValidity.TotalSeconds:0.#} s that it is an active cluster member, so it answers nothing from memory; retry, on another gateway if there is one");
        }
    }

    private Task ConfirmNowAsync()
    {
        lock (gate)
        {
            if (confirming is null || confirming.IsCompleted)
            {
                confirming = ConfirmOnceAsync();
            }

            return confirming;
        }
    }

    private async Task ConfirmOnceAsync()
    {
        var started = clock.GetTimestamp();
        try
        {
            var row = await table.ReadRowAsync(self);
            var entry = row.Members.FirstOrDefault(m => m.Item1.SiloAddress.Equals(self))?.Item1;
            var active = entry?.Status == SiloStatus.Active && membership.CurrentSnapshot.GetSiloStatus(self) == SiloStatus.Active;
            lock (gate)
            {
                if (!active)
                {
                    revokedBy = Math.Max(revokedBy, started);
                    Volatile.Write(ref confirmedUntil, long.MinValue);
                }
                else if (started > revokedBy && started + validityTicks > Volatile.Read(ref confirmedUntil))
                {
                    Volatile.Write(ref confirmedUntil, started + validityTicks);
                }
            }

            if (!active)
            {
                LogNotActive(entry?.Status.ToString() ?? "missing");
            }

            confirmFailureLogged = false;
        }
        catch (Exception error)
        {
            // The confirmation runs out by itself; say so once per outage.
            if (!confirmFailureLogged)
            {
                confirmFailureLogged = true;
                LogConfirmFailed(error);
            }
        }
    }

    private async Task ConfirmLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ConfirmInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ConfirmNowAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Notes deaths declared by others' votes, including those in the first snapshot when the votes are recent: this silo
    // may host grains that lived on such a silo a moment ago. A silo seen shutting down or stopping left cleanly even
    // when others voted against it as it went (it stops answering probes before its row says dead): it stopped answering
    // from memory when it saw itself leave, before anyone else could see it. (A later incarnation on the same endpoint
    // proves nothing: silos listen with SO_REUSEPORT, so a new process can bind the endpoint of a frozen one.)
    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        var dead = new HashSet<SiloAddress>();
        var leaving = new HashSet<SiloAddress>();
        var statuses = new Dictionary<SiloAddress, SiloStatus>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                if (snapshot.GetSiloStatus(self) is not SiloStatus.Active and not SiloStatus.Joining and not SiloStatus.Created)
                {
                    lock (gate)
                    {
                        Volatile.Write(ref confirmedUntil, long.MinValue);
                        revokedBy = clock.GetTimestamp();
                    }
                }

                var changed = false;
                foreach (var member in snapshot.Members.Values)
                {
                    if (!statuses.TryGetValue(member.SiloAddress, out var known) || known != member.Status)
                    {
                        statuses[member.SiloAddress] = member.Status;
                        changed |= !member.SiloAddress.Equals(self);
                    }

                    if (member.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping)
                    {
                        leaving.Add(member.SiloAddress);
                    }

                    if (member.Status == SiloStatus.Dead && !member.SiloAddress.Equals(self) && dead.Add(member.SiloAddress))
                    {
                        if (leaving.Contains(member.SiloAddress))
                        {
                            LogCleanLeave(member.SiloAddress);
                        }
                        else
                        {
                            await NoteDeathAsync(member.SiloAddress);
                        }
                    }
                }

                if (changed)
                {
                    Volatile.Write(ref lastMembershipChange, clock.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Writes wait from the moment the death is seen; once it is known to need no wait (no recent votes: it left; or its
    // endpoint refuses connections: the process is gone), they go on.
    private async Task NoteDeathAsync(SiloAddress silo)
    {
        var seen = clock.GetTimestamp();
        long before;
        lock (gate)
        {
            before = lastUncleanDeath;
            Volatile.Write(ref lastUncleanDeath, seen);
        }

        var voted = await WasRecentlyVotedDeadAsync(silo);
        var gone = voted && await RefusesConnectionsAsync(silo);
        if (voted && !gone)
        {
            ClearinghouseTelemetry.DeathsDeclared.Add(1, new KeyValuePair<string, object?>("process", "unknown"));
            LogUncleanDeath(silo);
            return;
        }

        lock (gate)
        {
            if (lastUncleanDeath == seen)
            {
                Volatile.Write(ref lastUncleanDeath, before);
            }
        }

        if (gone)
        {
            ClearinghouseTelemetry.DeathsDeclared.Add(1, new KeyValuePair<string, object?>("process", "gone"));
            LogDeadAndGone(silo);
        }
    }

    // A frozen process still holds its listening socket (the kernel completes the handshake), and a partition drops
    // packets: only a process that no longer exists, with no successor on its endpoint, refuses a connection. A
    // successor accepts it (silos listen with SO_REUSEPORT): then the dead one counts as possibly running.
    private async Task<bool> RefusesConnectionsAsync(SiloAddress silo)
    {
        using var socket = new Socket(silo.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(options.ConfirmWait);
        try
        {
            await socket.ConnectAsync(silo.Endpoint, timeout.Token);
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private async Task<bool> WasRecentlyVotedDeadAsync(SiloAddress silo)
    {
        try
        {
            var row = await table.ReadRowAsync(silo);
            var votes = row.Members.FirstOrDefault(m => m.Item1.SiloAddress.Equals(silo))?.Item1.SuspectTimes;
            var recent = clock.GetUtcNow().UtcDateTime - recentVoteWindow;
            return votes is { Count: > 0 } && votes.Any(v => DateTime.SpecifyKind(v.Item2, DateTimeKind.Utc) > recent);
        }
        catch (Exception error)
        {
            // Unknown: assume the worst (a short wait for a few writes).
            LogDeathUnknown(error, silo);
            return true;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table says this silo is {Status}, not active: it answers nothing from memory")]
    private partial void LogNotActive(string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo could not read its membership row; unless a read succeeds within the confirmation's validity it stops answering from memory")]
    private partial void LogConfirmFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read how silo {Silo} died; treating it as declared dead by others")]
    private partial void LogDeathUnknown(Exception error, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} was declared dead by others and its endpoint refuses connections (the process is gone): writes do not wait for it")]
    private partial void LogDeadAndGone(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} left the cluster cleanly; writes do not wait for it")]
    private partial void LogCleanLeave(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} was declared dead by others; writes to grains activated around now wait until it could no longer answer from memory")]
    private partial void LogUncleanDeath(SiloAddress silo);
}
