
namespace Clearinghouse.TestSupport.Chaos;

public enum Fault
{
    /// <summary>SIGKILL one silo mid-load, then start it again.</summary>
    SiloKill,

    /// <summary>SIGKILL redis-server mid-load, then start it again on its append-only file.</summary>
    RedisKill,
}

/// <summary>The shape of one chaos run. The defaults are the full run; tests use smaller numbers.</summary>
public sealed record ChaosOptions
{
    public Fault Fault { get; init; } = Fault.SiloKill;

    /// <summary>Load before the fault.</summary>
    public TimeSpan BeforeFault { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the killed process stays dead.</summary>
    public TimeSpan RestartAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Load after every silo answers again.</summary>
    public TimeSpan AfterRecovery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Give up waiting for recovery after this long (the run then reports it as not recovered).</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Which silo a <see cref="Fault.SiloKill"/> kills.</summary>
    public int VictimSilo { get; init; } = 1;

    public int VerdictCallers { get; init; } = 16;

    public int VerdictRecipients { get; init; } = 200;

    public int Writers { get; init; } = 8;

    public int RecipientsPerWriter { get; init; } = 20;

    /// <summary>Recipients the recovery probe checks through every silo (spread over the silos' grains).</summary>
    public int ProbeRecipients { get; init; } = 24;
}
