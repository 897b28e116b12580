using System.Globalization;
using Clearinghouse.Fuzzing;

namespace Clearinghouse.UnitTests.Fuzzing;

/// <summary>
/// A short run of every fuzz target (issue 9): a few thousand generated and mutated inputs each, failing on a crash,
/// a broken invariant or a hang, with the seed and the input to reproduce it. The long runs are bench/fuzz.sh's.
/// Set CLEARINGHOUSE_FUZZ_SEED to run other inputs than CI's.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int InputsPerTarget = 3000;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    private static int Seed => Environment.GetEnvironmentVariable("CLEARINGHOUSE_FUZZ_SEED") is { Length: > 0 } seed ? int.Parse(seed, CultureInfo.InvariantCulture) : 1;

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_short_run_finds_no_crash_broken_invariant_or_hang(string target)
    {
        var report = FuzzRunner.Run(FuzzTargets.Find(target), new FuzzOptions { Inputs = InputsPerTarget, Seed = Seed, InputTimeout = TimeSpan.FromSeconds(10) });

        Assert.True(report.Passed, string.Join("\n\n", report.Findings));
        Assert.Equal(InputsPerTarget, report.Inputs);

        // Both sides of the parser are reached: some inputs are accepted (the grammar gets past the first refusal), some refused.
        Assert.InRange(report.Accepted, 1, InputsPerTarget - 1);
    }

    [Fact]
    public void The_targets_cover_the_parsers_of_outside_input()
    {
        string[] expected =
        [
            "address", "domain-name", "sender-pattern", "map-identifier", "ip-prefix", "spf-record", "spf-macro", "message-evidence", "reply-text",
            "check-recipient-request", "check-connection-request", "add-record-request", "sender-list-request", "map-entries-request",
            "do-not-send-request", "violation-report-request", "thresholds-request", "arf-report", "policy-request", "dnsbl-query", "dnsbl-datagram",
            "dmarc-record", "authentication-results-header",
        ];
        Assert.Empty(expected.Except(FuzzTargets.All.Select(t => t.Name)));
        Assert.All(FuzzTargets.All, t => Assert.NotEmpty(t.Seeds()));
    }
}
