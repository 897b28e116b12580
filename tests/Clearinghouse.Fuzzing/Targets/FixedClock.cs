namespace Clearinghouse.Fuzzing.Targets;

/// <summary>"Now" for the request targets: a fixed instant, so that an input gives the same result on every run.</summary>
public sealed class FixedClock : TimeProvider
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly FixedClock Instance = new();

    public override DateTimeOffset GetUtcNow() => Now;
}
