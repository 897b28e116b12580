
namespace Clearinghouse.TestSupport.Chaos;

public enum Fault
{
    /// <summary>SIGKILL one silo mid-load, then start it again.</summary>
    SiloKill,

    /// <summary>SIGKILL redis-server mid-load, then start it again on its append-only file.</summary>
    RedisKill,

    /// <summary>
    /// SIGSTOP one silo mid-load (a frozen, not dead, node) for <see cref="ChaosOptions.PauseFor"/>, then SIGCONT. The
    /// load keeps going to it, as through a load balancer that has not noticed; writes that decide verdicts go on
    /// through the other gateways. If the resumed silo stops (a silo declared dead stops itself), it is started again.
    /// </summary>
    SiloPause,

    /// <summary>Every silo in turn: SIGTERM, wait for it to exit, start it again, wait until it serves.</summary>
    RollingRestart,
}

/// <summary>The shape of one chaos run. The defaults are the full run; tests use smaller numbers.</summary>
public sealed record ChaosOptions
{
    public Fault Fault { get; init; } = Fault.SiloKill;

    /// <summary>Load before the fault.</summary>
    public TimeSpan BeforeFault { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the killed process stays dead.</summary>
    public TimeSpan RestartAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a <see cref="Fault.SiloPause"/> keeps the silo frozen.</summary>
    public TimeSpan PauseFor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a silo of a <see cref="Fault.RollingRestart"/> may take to exit after SIGTERM (then it is killed, and the run fails).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load between one silo of a <see cref="Fault.RollingRestart"/> serving again and the next one's SIGTERM.</summary>
    public TimeSpan BetweenRestarts { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Load after every silo answers again.</summary>
    public TimeSpan AfterRecovery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After the load stops, how long hit counts may take to reach the records before a missing hit counts as lost. A
    /// copy sends the hits it counted after its last renewal with the first report (every <c>HitReportInterval</c>, 10 s
    /// by default) that finds them a whole interval old: up to two intervals after the load stopped.
    /// </summary>
    public TimeSpan HitsSettle { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Give up waiting for recovery after this long (the run then reports it as not recovered).</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Which silo a <see cref="Fault.SiloKill"/> kills or a <see cref="Fault.SiloPause"/> freezes.</summary>
    public int VictimSilo { get; init; } = 1;

    public int VerdictCallers { get; init; } = 16;

    public int VerdictRecipients { get; init; } = 200;

    public int Writers { get; init; } = 8;

    public int RecipientsPerWriter { get; init; } = 20;

    /// <summary>Recipients whose one record flips between reject and allow, and the callers checking them through every silo.</summary>
    public int FlipRecipients { get; init; } = 48;

    public int FlipCheckers { get; init; } = 8;

    /// <summary>Recipients the recovery probe checks through every silo (spread over the silos' grains).</summary>
    public int ProbeRecipients { get; init; } = 24;

    /// <summary>A call through a healthy gateway must not take longer than this.</summary>
    public TimeSpan SlowCall { get; init; } = TimeSpan.FromSeconds(2);
}
