using System.Diagnostics;
using System.Globalization;
using System.Text;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>What a chaos run found.</summary>
public sealed record ChaosReport(
    Fault Fault,
    string Store,
    IReadOnlyList<WorkloadResult> Workloads,
    TimeSpan? SurvivorsAnsweredAfter,
    TimeSpan? EverySiloAnsweredAfter)
{
    public long AcknowledgedWrites => Workloads.Sum(w => w.AcknowledgedWrites);

    public long LostWrites => Workloads.Sum(w => w.LostWrites);

    public WorkloadResult Verdicts => Workloads.Single(w => w.Name == "verdicts");

    /// <summary>Failed verdicts among all verdicts asked from the fault until every silo answered again.</summary>
    public double VerdictErrorShareDuringFailover =>
        (double)Verdicts.FailedCallsDuringFailover / Math.Max(1, Verdicts.CallsDuringFailover);

    public override string ToString()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"fault: {Fault} ({Store})");
        text.AppendLine(culture, $"  acknowledged writes lost: {LostWrites} of {AcknowledgedWrites}");
        text.AppendLine(culture, $"  verdict errors during failover: {Verdicts.FailedCallsDuringFailover} of {Verdicts.CallsDuringFailover} ({VerdictErrorShareDuringFailover:P2}); whole run {Verdicts.FailedCalls} of {Verdicts.Calls}; wrong verdicts {Verdicts.WrongAnswers}");
        text.AppendLine(culture, $"  seconds until every silo answers again: {Seconds(EverySiloAnsweredAfter)} (surviving silos answered every probe after {Seconds(SurvivorsAnsweredAfter)})");
        foreach (var workload in Workloads)
        {
            text.AppendLine(culture, $"  {workload.Name}: {workload.Calls} calls, {workload.FailedCalls} failed ({workload.FailedCallsDuringFailover} of {workload.CallsDuringFailover} during failover)");
            foreach (var example in workload.LostExamples)
            {
                text.AppendLine(culture, $"    LOST: {example}");
            }
        }

        return text.ToString();

        static string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "never (timed out)";
    }
}

/// <summary>
/// One chaos run on a <see cref="LocalCluster"/>: load from every workload through every silo, the fault mid-load,
/// the killed process started again, then every acknowledged write read back. The bench tool and the tests run this
/// same code with different <see cref="ChaosOptions"/>.
/// </summary>
public static class ChaosRun
{
    private const string ProbeSender = "blocked@spam.example";

    public static IReadOnlyList<IChaosWorkload> DefaultWorkloads() => [new VerdictWorkload(), new RecordWriteWorkload(), new ViolationReportWorkload()];

    public static async Task<ChaosReport> RunAsync(LocalCluster cluster, ChaosOptions options, IReadOnlyList<IChaosWorkload>? workloads = null, Action<string>? log = null)
    {
        workloads ??= DefaultWorkloads();
        log ??= _ => { };
        var context = new ChaosContext(cluster, options);
        var probe = new RecoveryProbe(context, options.ProbeRecipients);
        await probe.SeedAsync();
        foreach (var workload in workloads)
        {
            await workload.PrepareAsync(context, CancellationToken.None);
        }

        using var stop = new CancellationTokenSource();
        var running = workloads.Select(w => Task.Run(() => w.RunAsync(context, stop.Token))).ToArray();
        log($"load running through {cluster.Silos.Count} silos; fault in {options.BeforeFault.TotalSeconds:0} s");
        await Task.Delay(options.BeforeFault);

        var faultAt = context.Clock.Elapsed;
        var survivors = Enumerable.Range(0, cluster.Silos.Count).ToList();
        if (options.Fault == Fault.SiloKill)
        {
            context.SetDown(options.VictimSilo, isDown: true);
            cluster.Silos[options.VictimSilo].Kill();
            survivors.Remove(options.VictimSilo);
            log($"SIGKILL silo {options.VictimSilo}");
        }
        else
        {
            cluster.Redis.Kill();
            log("SIGKILL redis-server");
        }

        var survivorsAnswered = probe.WaitUntilAnsweringAsync(survivors, options.RecoveryTimeout);
        await Task.Delay(options.RestartAfter);
        if (options.Fault == Fault.SiloKill)
        {
            await cluster.Silos[options.VictimSilo].RestartAsync(options.RecoveryTimeout);
            context.SetDown(options.VictimSilo, isDown: false);
            log($"silo {options.VictimSilo} restarted and serving");
        }
        else
        {
            await cluster.Redis.RestartAsync();
            log("redis-server restarted");
        }

        var everySiloAnswered = await probe.WaitUntilAnsweringAsync(Enumerable.Range(0, cluster.Silos.Count).ToList(), options.RecoveryTimeout);
        var survivorsAnsweredAt = await survivorsAnswered;
        log($"every silo answers again after {(everySiloAnswered - faultAt)?.TotalSeconds:0.0} s");
        await Task.Delay(options.AfterRecovery);
        await stop.CancelAsync();
        await Task.WhenAll(running);

        context.FailoverWindow = (faultAt, everySiloAnswered ?? context.Clock.Elapsed);
        var results = new List<WorkloadResult>();
        foreach (var workload in workloads)
        {
            results.Add(await workload.VerifyAsync(context, CancellationToken.None));
        }

        return new ChaosReport(options.Fault, cluster.Store.Description, results, survivorsAnsweredAt - faultAt, everySiloAnswered - faultAt);
    }

    /// <summary>
    /// Asks every given silo for a verdict on each probe recipient and a write, until all succeed in one round: then
    /// those silos answer for every grain again, wherever it was.
    /// </summary>
    private sealed class RecoveryProbe(ChaosContext context, int recipients)
    {
        private static string Recipient(int i) => $"probe{i}@{HarnessTenant.Domain}";

        public async Task SeedAsync()
        {
            for (var i = 0; i < recipients; i++)
            {
                var recipient = Recipient(i);
                await ChaosContext.RetryAsync(async () => await new Records.RecordsClient(context.NextInvoker()).AddRecordAsync(new AddRecordRequest { Recipient = recipient, Pattern = ProbeSender, Action = RecordAction.Reject }, deadline: ChaosContext.Deadline()));
            }
        }

        /// <summary>The run's clock when a whole round succeeded, or null when <paramref name="timeout"/> passed first.</summary>
        public async Task<TimeSpan?> WaitUntilAnsweringAsync(IReadOnlyList<int> silos, TimeSpan timeout)
        {
            var giveUp = Stopwatch.StartNew();
            while (giveUp.Elapsed < timeout)
            {
                if (await RoundAsync(silos))
                {
                    return context.Clock.Elapsed;
                }

                await Task.Delay(100);
            }

            return null;
        }

        private async Task<bool> RoundAsync(IReadOnlyList<int> silos)
        {
            var calls = silos.SelectMany(silo => Enumerable.Range(0, recipients).Select(i => AnswersAsync(silo, i)));
            return (await Task.WhenAll(calls)).All(ok => ok);
        }

        private async Task<bool> AnswersAsync(int silo, int i)
        {
            var invoker = context.Invoker(silo);
            var deadline = DateTime.UtcNow.AddSeconds(3);
            try
            {
                var verdict = await new Verdicts.VerdictsClient(invoker).CheckRecipientAsync(new CheckRecipientRequest { Recipient = Recipient(i), Sender = ProbeSender }, deadline: deadline);
                if (verdict.Action != VerdictAction.Reject)
                {
                    return false;
                }

                // Replacing the same record is a write that changes nothing the load depends on.
                if (i % 4 == 0)
                {
                    await new Records.RecordsClient(invoker).AddRecordAsync(new AddRecordRequest { Recipient = Recipient(i), Pattern = ProbeSender, Action = RecordAction.Reject }, deadline: deadline);
                }

                return true;
            }
            catch (RpcException)
            {
                return false;
            }
        }
    }
}
