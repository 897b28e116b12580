namespace Clearinghouse.Fuzzing;

/// <summary>How long and how a target is fuzzed. The same options and seed give the same inputs.</summary>
public sealed record FuzzOptions
{
    /// <summary>Inputs to run (unless <see cref="Duration"/> ends the run first).</summary>
    public long Inputs { get; init; } = 10_000;

    public int Seed { get; init; } = 1;

    /// <summary>Stops the run after this long even if fewer inputs ran; null: no limit.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// An input running longer than this is a hang (the seeds, which run first and pay for JIT compilation, get a minute).
    /// Generous, for a busy machine: a parser that loops never finishes, and a slow one shows in the slowest input.
    /// </summary>
    public TimeSpan InputTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Distinct findings (by kind and place) to collect before the run stops.</summary>
    public int MaxFindings { get; init; } = 1;

    /// <summary>Shrinks each finding's input to a smaller one that fails the same way.</summary>
    public bool Minimize { get; init; } = true;

    /// <summary>Inputs to start from besides the target's seeds, e.g. a corpus saved by an earlier run.</summary>
    public IReadOnlyList<byte[]> ExtraSeeds { get; init; } = [];

    /// <summary>Called every <see cref="ProgressInterval"/> with the run so far.</summary>
    public Action<FuzzReport>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(10);
}
