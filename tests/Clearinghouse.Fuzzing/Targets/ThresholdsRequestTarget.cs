using Clearinghouse.Domain;
using Clearinghouse.Gateway.Services;
using V1 = Clearinghouse.Api.V1;

namespace Clearinghouse.Fuzzing.Targets;

/// <summary><c>Operator.SetThresholds</c>: <c>ViolationMapping.ToDomain(Thresholds)</c> and <c>ThresholdSettings.Validated</c>.</summary>
public sealed class ThresholdsRequestTarget : ProtoFuzzTarget<V1.Thresholds>
{
    public override string Name => "thresholds-request";

    public override string Description =>
        "Thresholds bytes through Parser.ParseFrom and ViolationMapping.ToDomain. Accepted settings never let one " +
        "provider or one recipient list a sender (minimum providers 2-100, absolute threshold at least 2, rank divisor " +
        "100, 500 or 1000).";

    protected override void Map(V1.Thresholds request)
    {
        var settings = ViolationMapping.ToDomain(request);
        InvariantViolation.Check(Enum.IsDefined(settings.Mode), $"mode {settings.Mode}");
        InvariantViolation.Check(settings.MinimumProviders is >= 2 and <= 100, $"minimum providers {settings.MinimumProviders}");
        InvariantViolation.Check(settings.AbsoluteThreshold >= 2, $"absolute threshold {settings.AbsoluteThreshold}");
        InvariantViolation.Check(ThresholdSettings.RankDivisors.Contains(settings.RankDivisor), $"rank divisor {settings.RankDivisor}");
        InvariantViolation.CheckEqual(settings, ViolationMapping.ToDomain(ViolationMapping.ToProto(settings)), "settings mapped to the proto and back");
    }

    protected override IEnumerable<V1.Thresholds> SeedMessages() =>
    [
        new() { Mode = V1.ThresholdMode.Absolute, AbsoluteThreshold = 5, RankDivisor = 100, MinimumProviders = 2 },
        new() { Mode = V1.ThresholdMode.Ranked, AbsoluteThreshold = 2, RankDivisor = 1000, MinimumProviders = 100 },
    ];

    protected override V1.Thresholds GenerateMessage(FuzzRandom random)
    {
        uint Count() => random.Chance(0.8) ? (uint)random.Between(0, 1001) : random.Pick([uint.MaxValue, 2147483647u, 2147483648u, 101u]);
        return new V1.Thresholds { Mode = RequestGrammar.Enum<V1.ThresholdMode>(random), AbsoluteThreshold = Count(), RankDivisor = Count(), MinimumProviders = Count() };
    }
}
