using System.Globalization;

namespace Clearinghouse.Fuzzing;

/// <summary>What a run of one target did: inputs, speed, corpus, coverage (when instrumented) and findings.</summary>
public sealed record FuzzReport(
    string Target,
    int Seed,
    long Inputs,
    long Accepted,
    TimeSpan Elapsed,
    TimeSpan ProcessorTime,
    int CorpusSize,
    int? CoveredEdges,
    TimeSpan SlowestInput,
    IReadOnlyList<FuzzFinding> Findings)
{
    public double InputsPerSecond => Elapsed > TimeSpan.Zero ? Inputs / Elapsed.TotalSeconds : 0;

    /// <summary>Microseconds of CPU (all of the process's threads) per input: comparable on a busy machine, where wall time is not.</summary>
    public double CpuMicrosecondsPerInput => Inputs > 0 ? ProcessorTime.TotalMicroseconds / Inputs : 0;

    public bool Passed => Findings.Count == 0;

    public string Summary() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target,-26} seed {Seed,-6} {Inputs,12:N0} inputs ({Accepted * 100.0 / Math.Max(1, Inputs),5:0.0} % accepted) in {Elapsed.TotalSeconds,7:0.0} s = {InputsPerSecond,9:N0}/s ({CpuMicrosecondsPerInput,5:0.0} µs CPU each); corpus {CorpusSize,5:N0}; edges {(CoveredEdges is { } edges ? edges.ToString("N0", CultureInfo.InvariantCulture) : "-"),6}; slowest {SlowestInput.TotalMilliseconds:0.0} ms; findings {Findings.Count}");
}
