namespace Clearinghouse.Fuzzing;

public enum FindingKind
{
    /// <summary>An exception other than the parser's documented validation error.</summary>
    Crash,

    /// <summary>An accepted input whose result breaks the parser's own invariants.</summary>
    Invariant,

    /// <summary>An input that ran longer than the per-input time-out.</summary>
    Hang,
}

/// <summary>One failure: what happened, where, and the input that reproduces it (with the run's seed and the input's index).</summary>
public sealed record FuzzFinding(
    string Target,
    FindingKind Kind,
    string Signature,
    int Seed,
    long InputIndex,
    byte[] Input,
    string Detail)
{
    public override string ToString() =>
        $"{Kind} in target '{Target}' (seed {Seed}, input #{InputIndex}): {Signature}\n" +
        $"input: {InputText.Describe(Input)}\n" +
        $"reproduce: dotnet bench/Clearinghouse.Fuzz/bin/Release/net10.0/Clearinghouse.Fuzz.dll repro --target {Target} --hex {Convert.ToHexString(Input)}\n" +
        $"{Detail}";
}
