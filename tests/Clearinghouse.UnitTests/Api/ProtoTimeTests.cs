using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf.WellKnownTypes;

namespace Clearinghouse.UnitTests.Api;

public class ProtoTimeTests
{
    [Theory]
    [InlineData(0L, -1, "nanos")]
    [InlineData(0L, 1_000_000_000, "nanos")]
    [InlineData(0L, int.MinValue, "nanos")]
    [InlineData(253_402_300_800L, 0, "9999-12-31")]
    [InlineData(-62_135_596_801L, 0, "0001-01-01")]
    [InlineData(long.MaxValue, 0, "seconds")]
    [InlineData(long.MinValue, 0, "seconds")]
    public void A_timestamp_out_of_range_is_refused_naming_the_field(long seconds, int nanos, string problem)
    {
        var error = Assert.Throws<InvalidFieldException>(() => ProtoTime.ToInstant(new Timestamp { Seconds = seconds, Nanos = nanos }, "first_message.date"));
        Assert.Equal("first_message.date", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    [Fact]
    public void The_first_and_last_instants_a_timestamp_may_hold_are_read()
    {
        Assert.Equal(DateTimeOffset.MinValue, ProtoTime.ToInstant(new Timestamp { Seconds = ProtoTime.MinTimestampSeconds }, "at"));
        Assert.Equal(DateTimeOffset.MaxValue, ProtoTime.ToInstant(new Timestamp { Seconds = ProtoTime.MaxTimestampSeconds, Nanos = 999_999_999 }, "at"));
        Assert.Null(ProtoTime.ToInstant(null, "at"));
    }

    [Theory]
    [InlineData(0L, 1_000_000_000, "nanos")]
    [InlineData(0L, -1_000_000_000, "nanos")]
    [InlineData(315_576_000_001L, 0, "seconds")]
    [InlineData(-315_576_000_001L, 0, "seconds")]
    [InlineData(1L, -1, "sign")]
    [InlineData(-1L, 1, "sign")]
    public void A_duration_out_of_range_is_refused_naming_the_field(long seconds, int nanos, string problem)
    {
        var error = Assert.Throws<InvalidFieldException>(() => ProtoTime.ToSpan(new Duration { Seconds = seconds, Nanos = nanos }, "grace_period"));
        Assert.Equal("grace_period", error.Field);
        Assert.Contains(problem, error.Problem);
    }

    // Anything the protobuf library can convert is read the same way; anything it cannot (it would throw
    // InvalidOperationException, an INTERNAL error) is refused as bad input.
    [Property(MaxTest = 2000, Arbitrary = [typeof(NearTheEdges)])]
    public Property Timestamps_are_read_as_protobuf_reads_them_and_refused_where_it_cannot(long seconds, int nanos)
    {
        var ours = ProtoTime.TryToInstant(seconds, nanos, out var instant, out var problem);
        var theirs = Try(() => new Timestamp { Seconds = seconds, Nanos = nanos }.ToDateTimeOffset());
        return (ours == theirs.Ok && (!ours || instant == theirs.Value) && ours == (problem.Length == 0)).ToProperty();
    }

    [Property(MaxTest = 2000, Arbitrary = [typeof(NearTheEdges)])]
    public Property Durations_are_read_as_protobuf_reads_them_and_refused_where_it_cannot(long seconds, int nanos)
    {
        var ours = ProtoTime.TryToSpan(seconds, nanos, out var span, out var problem);
        var theirs = Try(() => new Duration { Seconds = seconds, Nanos = nanos }.ToTimeSpan());
        return (ours == theirs.Ok && (!ours || span == theirs.Value) && ours == (problem.Length == 0)).ToProperty();
    }

    private static (bool Ok, T Value) Try<T>(Func<T> convert)
    {
        try
        {
            return (true, convert());
        }
        catch (InvalidOperationException)
        {
            return (false, default!);
        }
    }

    /// <summary>Seconds and nanos around the limits of both types, and anywhere.</summary>
    public static class NearTheEdges
    {
        private static readonly long[] Edges =
        [
            0, 1, -1, ProtoTime.MinTimestampSeconds, ProtoTime.MaxTimestampSeconds, ProtoTime.MaxDurationSeconds, -ProtoTime.MaxDurationSeconds, long.MaxValue, long.MinValue,
        ];

        public static Arbitrary<long> Seconds() =>
            Gen.OneOf(
                from edge in Gen.Elements(Edges) from offset in Gen.Choose(-2, 2) select unchecked(edge + offset),
                ArbMap.Default.GeneratorFor<long>()).ToArbitrary();

        public static Arbitrary<int> Nanos() =>
            Gen.OneOf(
                Gen.Elements(0, 1, -1, 999_999_999, -999_999_999, 1_000_000_000, -1_000_000_000, int.MaxValue, int.MinValue),
                Gen.Choose(-1_000_000_000, 1_000_000_000)).ToArbitrary();
    }
}
