using Google.Protobuf.WellKnownTypes;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary>Field values for the request targets: enums in and out of range, timestamps at and beyond their limits, evidence.</summary>
public static class RequestGrammar
{
    /// <summary>A value of a proto enum: usually a defined one, sometimes an undefined number (as old or hostile clients send).</summary>
    public static TEnum Enum<TEnum>(FuzzRandom random)
        where TEnum : struct, System.Enum
    {
        if (random.Chance(0.15))
        {
            return (TEnum)(object)random.Pick([-1, 99, int.MaxValue, int.MinValue, 7]);
        }

        return random.Pick(System.Enum.GetValues<TEnum>());
    }

    /// <summary>
    /// When a request's times cluster: usually around now, sometimes at either end of what a Timestamp can hold, so that
    /// all of a request's dates are extreme together (as they must be to pass the checks that compare them). Targets
    /// place their dates up to 30 days before it.
    /// </summary>
    public static DateTimeOffset Epoch(FuzzRandom random) => random.Next(10) switch
    {
        0 => DateTimeOffset.MaxValue.AddDays(-random.Between(0, 30)),
        1 => DateTimeOffset.MinValue.AddDays(random.Between(30, 60)),
        _ => FixedClock.Now,
    };

    /// <summary>A Timestamp near <paramref name="around"/>, or at or beyond the range protobuf allows, or with invalid nanoseconds; sometimes unset.</summary>
    public static Timestamp? Timestamp(FuzzRandom random, DateTimeOffset around)
    {
        if (random.Chance(0.05))
        {
            return null;
        }

        return new Timestamp
        {
            Seconds = Grammars.TimestampSeconds(random, around.ToUnixTimeSeconds()),
            Nanos = Grammars.TimestampNanos(random),
        };
    }

    public static V1.MessageEvidence? Evidence(FuzzRandom random, DateTimeOffset around) => random.Chance(0.05) ? null : new V1.MessageEvidence
    {
        MessageId = Grammars.MessageId(random),
        Date = Timestamp(random, around),
        HeaderDigest = Grammars.HeaderDigest(random),
    };

    public static V1.MessageEvidence ValidEvidence(string messageId, DateTimeOffset date) => new()
    {
        MessageId = messageId,
        Date = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(date),
        HeaderDigest = new string('a', 64),
    };
}
