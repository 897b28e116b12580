using System.Text;
using Clearinghouse.Fuzzing;

namespace Clearinghouse.UnitTests.Fuzzing;

/// <summary>The fuzz loop itself: it finds what it is meant to find, says how to reproduce it, and repeats itself.</summary>
public sealed class FuzzRunnerTests
{
    [Fact]
    public void A_crash_is_found_minimised_and_reported_with_the_seed_and_the_input()
    {
        var report = FuzzRunner.Run(new CrashesOnDoubleAt(), new FuzzOptions { Inputs = 50_000, Seed = 7 });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Crash, finding.Kind);
        Assert.StartsWith("NullReferenceException at CrashesOnDoubleAt.Execute", finding.Signature);
        Assert.Equal("@@", Encoding.UTF8.GetString(finding.Input));
        var text = finding.ToString();
        Assert.Contains("seed 7", text);
        Assert.Contains("\"@@\"", text);
        Assert.Contains("--hex 4040", text);
        Assert.NotNull(FuzzRunner.Replay(new CrashesOnDoubleAt(), finding.Input));
        Assert.Null(FuzzRunner.Replay(new CrashesOnDoubleAt(), "a@b"u8.ToArray()));
    }

    [Fact]
    public void A_broken_invariant_is_a_finding_of_its_own_kind()
    {
        var report = FuzzRunner.Run(new AcceptsNothingLongerThanFour(), new FuzzOptions { Inputs = 10_000, Seed = 3 });

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Invariant, finding.Kind);
        Assert.Equal(5, finding.Input.Length);
    }

    [Fact]
    public void An_input_that_runs_past_the_time_out_is_reported_as_a_hang()
    {
        using var release = new ManualResetEventSlim();
        var report = FuzzRunner.Run(new HangsOnBang(release), new FuzzOptions { Inputs = 50_000, Seed = 5, InputTimeout = TimeSpan.FromMilliseconds(300) });
        release.Set();

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.Hang, finding.Kind);
        Assert.Contains((byte)'!', finding.Input);
    }

    [Fact]
    public void The_same_seed_gives_the_same_inputs_and_another_seed_others()
    {
        var first = new Recorder();
        var again = new Recorder();
        var other = new Recorder();
        FuzzRunner.Run(first, new FuzzOptions { Inputs = 2000, Seed = 11 });
        FuzzRunner.Run(again, new FuzzOptions { Inputs = 2000, Seed = 11 });
        FuzzRunner.Run(other, new FuzzOptions { Inputs = 2000, Seed = 12 });

        Assert.Equal(first.Inputs, again.Inputs);
        Assert.NotEqual(first.Inputs, other.Inputs);
        Assert.Equal(2000, first.Inputs.Count);
        Assert.True(first.Inputs.Distinct().Count() > 1000, "mutation and generation make mostly new inputs");
    }

    private sealed class CrashesOnDoubleAt : TextFuzzTarget
    {
        public override string Name => "test-crash";

        public override string Description => "throws NullReferenceException on \"@@\"";

        public override FuzzOutcome Execute(string text)
        {
            if (text.Contains("@@", StringComparison.Ordinal))
            {
                string? missing = null;
                return (FuzzOutcome)missing!.Length;
            }

            return FuzzOutcome.Accepted;
        }

        protected override IEnumerable<string> SeedTexts() => ["a@b", "user@example.com"];

        protected override string GenerateText(FuzzRandom random) => "x" + random.Next(100);
    }

    private sealed class AcceptsNothingLongerThanFour : TextFuzzTarget
    {
        public override string Name => "test-invariant";

        public override string Description => "an invariant broken by inputs of exactly five bytes";

        public override FuzzOutcome Execute(string text)
        {
            InvariantViolation.Check(Encoding.UTF8.GetByteCount(text) != 5, "five bytes");
            return FuzzOutcome.Accepted;
        }

        protected override IEnumerable<string> SeedTexts() => ["ab"];

        protected override string GenerateText(FuzzRandom random) => new('x', random.Between(0, 12));
    }

    private sealed class HangsOnBang(ManualResetEventSlim release) : TextFuzzTarget
    {
        public override string Name => "test-hang";

        public override string Description => "blocks on '!' until released";

        public override FuzzOutcome Execute(string text)
        {
            if (text.Contains('!'))
            {
                release.Wait();
            }

            return FuzzOutcome.Rejected;
        }

        protected override IEnumerable<string> SeedTexts() => ["abc"];

        protected override string GenerateText(FuzzRandom random) => "abc";
    }

    private sealed class Recorder : FuzzTarget
    {
        public List<string> Inputs { get; } = [];

        public override string Name => "test-recorder";

        public override string Description => "records its inputs";

        public override IEnumerable<byte[]> Seeds() => ["seed"u8.ToArray()];

        public override byte[] Generate(FuzzRandom random) => Encoding.UTF8.GetBytes($"g{random.Next(1_000_000)}");

        public override FuzzOutcome Execute(ReadOnlySpan<byte> input)
        {
            Inputs.Add(Convert.ToHexString(input));
            return input.Length % 2 == 0 ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
        }
    }
}
