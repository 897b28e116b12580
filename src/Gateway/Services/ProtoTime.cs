using Clearinghouse.Domain;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.Gateway.Services;

/// <summary>
/// The one reader of <c>google.protobuf.Timestamp</c> and <c>Duration</c> values that callers send. The protobuf
/// library's own conversions throw <see cref="InvalidOperationException"/> (an INTERNAL error) for values outside the
/// types' defined ranges; here such a value is bad input naming its field. Pure functions: no clock, no state.
/// </summary>
public static class ProtoTime
{
    /// <summary>0001-01-01T00:00:00Z, the earliest instant a Timestamp may hold.</summary>
    public const long MinTimestampSeconds = -62_135_596_800;

    /// <summary>9999-12-31T23:59:59Z, the latest whole second a Timestamp may hold.</summary>
    public const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>About 10,000 years, the largest magnitude a Duration may hold.</summary>
    public const long MaxDurationSeconds = 315_576_000_000;

    private const int NanosPerSecond = 1_000_000_000;

    /// <summary>The instant <paramref name="timestamp"/> names, or null when it is absent; <see cref="InvalidFieldException"/> when out of range.</summary>
    public static DateTimeOffset? ToInstant(Timestamp? timestamp, string field)
    {
        if (timestamp is null)
        {
            return null;
        }

        return TryToInstant(timestamp.Seconds, timestamp.Nanos, out var instant, out var problem)
            ? instant
            : throw new InvalidFieldException(field, problem);
    }

    /// <summary>The span <paramref name="duration"/> names, or null when it is absent; <see cref="InvalidFieldException"/> when out of range.</summary>
    public static TimeSpan? ToSpan(Duration? duration, string field)
    {
        if (duration is null)
        {
            return null;
        }

        return TryToSpan(duration.Seconds, duration.Nanos, out var span, out var problem)
            ? span
            : throw new InvalidFieldException(field, problem);
    }

    /// <summary>A Timestamp's fields as an instant (nanoseconds truncated to .NET's 100 ns ticks), or the problem with them.</summary>
    public static bool TryToInstant(long seconds, int nanos, out DateTimeOffset instant, out string problem)
    {
        instant = default;
        if (nanos is < 0 or >= NanosPerSecond)
        {
            problem = $"nanos must be from 0 to 999,999,999 (got {nanos})";
            return false;
        }

        if (seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
        {
            problem = $"seconds must be from {MinTimestampSeconds} (0001-01-01) to {MaxTimestampSeconds} (9999-12-31) (got {seconds})";
            return false;
        }

        instant = DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100));
        problem = "";
        return true;
    }

    /// <summary>A Duration's fields as a span (nanoseconds truncated to .NET's 100 ns ticks), or the problem with them.</summary>
    public static bool TryToSpan(long seconds, int nanos, out TimeSpan span, out string problem)
    {
        span = default;
        if (nanos is <= -NanosPerSecond or >= NanosPerSecond)
        {
            problem = $"nanos must be from -999,999,999 to 999,999,999 (got {nanos})";
            return false;
        }

        if (seconds is < -MaxDurationSeconds or > MaxDurationSeconds)
        {
            problem = $"seconds must be from -{MaxDurationSeconds} to {MaxDurationSeconds} (got {seconds})";
            return false;
        }

        if ((seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0))
        {
            problem = "seconds and nanos must have the same sign";
            return false;
        }

        span = TimeSpan.FromTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100));
        problem = "";
        return true;
    }
}
