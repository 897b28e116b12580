using Clearinghouse.Api.V1;
using Clearinghouse.TestSupport.Chaos;

namespace Clearinghouse.IntegrationTests;

/// <summary>
/// Ranked thresholds through the real sender, shard and root grains (RANKED 1/100 with the lowest floor allowed, 2):
/// a cold start lists nobody however the reports fall, and once the population is large enough the top is listed but
/// a sender above the floor and below the cutoff is not.
/// </summary>
public sealed class RankedThresholdTests
{
    private static readonly Thresholds Ranked = new() { Mode = ThresholdMode.Ranked, AbsoluteThreshold = 2, RankDivisor = 100, MinimumProviders = 2 };

    [Fact]
    public async Task On_a_cold_start_606_reports_over_300_senders_in_shuffled_order_list_nobody()
    {
        await using var host = await StartAsync(minimumTopSenders: null);
        await host.Operator().SetThresholdsAsync(Ranked);

        // Three senders with four recipients each (above the floor, the top 1/100 of 300 by any ranking), the rest two.
        var senders = Enumerable.Range(0, 300).ToDictionary(i => $"cold{i}-{Guid.NewGuid():N}@bulk.example", i => i < 3 ? 4 : 2);
        await ReportAsync(host, senders, new Random(606));
        Assert.Equal(606, senders.Values.Sum());

        // Once the ranking has settled, one more report each gives the heaviest a decision on the settled cutoff.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await ReportAsync(host, senders.Where(s => s.Value == 4).ToDictionary(s => s.Key, _ => 1), new Random(1), firstRecipient: 10);
        foreach (var sender in senders.Keys)
        {
            var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
            Assert.True(status.State == EscalationState.None, $"{sender} ({senders[sender]} recipients) is {status.State} among 300 reported senders");
        }
    }

    [Fact]
    public async Task With_a_large_enough_population_the_top_is_listed_and_a_sender_above_the_floor_below_the_cutoff_is_not()
    {
        // One sender in the top 1/100 is enough here: 100 ranked senders make a population.
        await using var host = await StartAsync(minimumTopSenders: 1);
        await host.Operator().SetThresholdsAsync(Ranked);
        var light = Enumerable.Range(0, 200).ToDictionary(i => $"light{i}-{Guid.NewGuid():N}@bulk.example", _ => 1);
        await ReportAsync(host, light, new Random(200));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // 203 senders, then 204: the top 1/100 is 3 senders, the three heavy ones.
        var heavy = Enumerable.Range(0, 3).ToDictionary(i => $"heavy{i}-{Guid.NewGuid():N}@bulk.example", _ => 8);
        await ReportAsync(host, heavy, new Random(3));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var medium = $"medium-{Guid.NewGuid():N}@bulk.example";
        await ReportAsync(host, new Dictionary<string, int> { [medium] = 4 }, new Random(4));

        foreach (var sender in heavy.Keys)
        {
            var status = await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = sender });
            Assert.Contains(status.State, (EscalationState[])[EscalationState.Escalated, EscalationState.Listed]);
        }

        Assert.Equal(EscalationState.None, (await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = medium })).State);
        Assert.Equal(EscalationState.None, (await host.Operator().GetSenderAsync(new GetSenderRequest { Sender = light.Keys.First() })).State);
    }

    private static Task<ClearinghouseTestHost> StartAsync(int? minimumTopSenders) => ClearinghouseTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Clearinghouse:Violations:RankingInterval"] = "00:00:00.200",
        ["Clearinghouse:Violations:RankedMinimumTopSenders"] = minimumTopSenders?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary>One report per recipient of each sender, alternating the two providers, all in shuffled order, eight at a time.</summary>
    private static async Task ReportAsync(ClearinghouseTestHost host, IReadOnlyDictionary<string, int> recipients, Random random, int firstRecipient = 0)
    {
        var reports = recipients.SelectMany(s => Enumerable.Range(firstRecipient, s.Value).Select(r => (Sender: s.Key, Recipient: r))).ToArray();
        random.Shuffle(reports);
        var clients = new[] { host.Reports(TestTenants.AcmeKey), host.Reports(TestTenants.OtherKey) };
        await Parallel.ForEachAsync(reports, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (report, cancellationToken) =>
        {
            var (domain, client) = report.Recipient % 2 == 0 ? (TestTenants.AcmeDomain, clients[0]) : (TestTenants.OtherDomain, clients[1]);
            var local = report.Sender.Split('@')[0];
            await client.SubmitViolationAsync(ViolationReportWorkload.Report($"{local}-{report.Recipient}", $"{local}-r{report.Recipient}@{domain}", report.Sender, DateTimeOffset.UtcNow), cancellationToken: cancellationToken);
        });
    }
}
