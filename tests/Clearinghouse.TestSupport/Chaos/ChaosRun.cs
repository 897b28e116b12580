using System.Diagnostics;
using System.Globalization;
using System.Text;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>How one SIGTERM of a rolling restart went.</summary>
public sealed record Termination(int Silo, bool Exited, int ExitCode, TimeSpan Took);

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

    /// <summary>Failed and all verdicts through gateways not under a fault, from the fault until every silo answered again.</summary>
    public (long Calls, long Failures) HealthyGatewayVerdictsDuringFailover { get; init; }

    public double HealthyGatewayVerdictErrorShare =>
        (double)HealthyGatewayVerdictsDuringFailover.Failures / Math.Max(1, HealthyGatewayVerdictsDuringFailover.Calls);

    /// <summary>Every call of every workload through a gateway not under a fault that took longer than <see cref="ChaosOptions.SlowCall"/>.</summary>
    public IReadOnlyList<CallRecord> SlowCallsThroughHealthyGateways { get; init; } = [];

    /// <summary>Every call of every workload through a gateway not under a fault that failed, from the fault until every silo answered again.</summary>
    public IReadOnlyList<CallRecord> FailedCallsThroughHealthyGateways { get; init; } = [];

    /// <summary>When the fault began, on the run's clock.</summary>
    public TimeSpan FaultAt { get; init; }

    /// <summary>When each silo's fault began and ended, on the run's clock.</summary>
    public IReadOnlyList<(TimeSpan At, string What)> FaultEvents { get; init; } = [];

    /// <summary>The longest call through a gateway not under a fault (of those over a second; zero when none was).</summary>
    public TimeSpan LongestCallThroughHealthyGateways { get; init; }

    public IReadOnlyList<StaleVerdict> StaleVerdicts => Workloads.SelectMany(w => w.StaleVerdicts).ToList();

    /// <summary>Wrong verdicts of every kind: a seeded verdict answered wrongly, or a verdict older than an acknowledged write.</summary>
    public long WrongVerdicts => Workloads.Sum(w => w.WrongAnswers);

    public IReadOnlyList<string> Problems => Workloads.SelectMany(w => w.Problems).ToList();

    /// <summary>Hits of answered rejects that no hit count holds (measured only in runs where no silo dies).</summary>
    public long LostHits => Workloads.Sum(w => w.LostHits);

    /// <summary>Hits counted more than once (measured where <see cref="LostHits"/> is).</summary>
    public long DoubleCountedHits => Workloads.Sum(w => w.DoubleCountedHits);

    /// <summary>For a <see cref="Fault.RollingRestart"/>: how each SIGTERM went.</summary>
    public IReadOnlyList<Termination> Terminations { get; init; } = [];

    /// <summary>For a <see cref="Fault.SiloPause"/>: when the frozen silo was resumed, on the run's clock.</summary>
    public TimeSpan? ResumedAt { get; init; }

    /// <summary>For a <see cref="Fault.SiloPause"/>: how the resumed silo ended (its exit code), when it did not live on.</summary>
    public string? ResumedSiloFate { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"fault: {Fault} ({Store})");
        text.AppendLine(culture, $"  acknowledged writes lost: {LostWrites} of {AcknowledgedWrites}");
        text.AppendLine(culture, $"  verdict errors during failover: {Verdicts.FailedCallsDuringFailover} of {Verdicts.CallsDuringFailover} ({VerdictErrorShareDuringFailover:P2}); through healthy gateways {HealthyGatewayVerdictsDuringFailover.Failures} of {HealthyGatewayVerdictsDuringFailover.Calls} ({HealthyGatewayVerdictErrorShare:P2}); whole run {Verdicts.FailedCalls} of {Verdicts.Calls}");
        text.AppendLine(culture, $"  wrong verdicts: {WrongVerdicts} (seeded verdicts answered wrongly {Verdicts.WrongAnswers}, stale verdicts {StaleVerdicts.Count})");
        text.AppendLine(culture, $"  from the fault on, calls through healthy gateways slower than 2 s: {SlowCallsThroughHealthyGateways.Count}; longest {LongestCallThroughHealthyGateways.TotalSeconds:0.00} s");
        text.AppendLine(culture, $"  hit counts lost: {LostHits}, counted twice: {DoubleCountedHits}{(Fault is Fault.SiloKill or Fault.SiloPause ? " (not measured: a silo that dies loses the hits it held)" : "")}");
        if (Fault == Fault.RollingRestart)
        {
            text.AppendLine(culture, $"  seconds from the first SIGTERM until every silo answers again: {Seconds(EverySiloAnsweredAfter)}");
        }
        else
        {
            text.AppendLine(culture, $"  seconds until every silo answers again: {Seconds(EverySiloAnsweredAfter)} (surviving silos answered every probe after {Seconds(SurvivorsAnsweredAfter)})");
        }
        if (ResumedAt is not null)
        {
            text.AppendLine(culture, $"  the frozen silo was resumed at {ResumedAt.Value.TotalSeconds:0.0} s; then {ResumedSiloFate}");
        }

        foreach (var termination in Terminations)
        {
            text.AppendLine(culture, $"  SIGTERM silo {termination.Silo}: {(termination.Exited ? $"exit code {termination.ExitCode} after {termination.Took.TotalSeconds:0.00} s" : $"still running after {termination.Took.TotalSeconds:0.0} s (killed)")}");
        }

        foreach (var stale in StaleVerdicts.Take(20))
        {
            text.AppendLine(culture, $"    STALE: {stale.Describe(ResumedAt)}");
        }

        foreach (var slow in SlowCallsThroughHealthyGateways.Take(40))
        {
            text.AppendLine(culture, $"    SLOW: {slow.Describe(FaultEvents)}");
        }

        foreach (var kind in SlowCallsThroughHealthyGateways.GroupBy(c => c.Kind).OrderByDescending(g => g.Count()))
        {
            text.AppendLine(culture, $"    slow calls through healthy gateways, {kind.Key}: {kind.Count()} ({kind.Count(c => c.Failed)} failed), {kind.Min(c => c.Duration).TotalSeconds:0.00}-{kind.Max(c => c.Duration).TotalSeconds:0.00} s long, started {(kind.Min(c => c.Started) - FaultAt).TotalSeconds:0.0} to {(kind.Max(c => c.Started) - FaultAt).TotalSeconds:0.0} s after the fault");
        }

        foreach (var kind in FailedCallsThroughHealthyGateways.GroupBy(c => (c.Kind, c.Status)).OrderByDescending(g => g.Count()))
        {
            text.AppendLine(culture, $"    errors through healthy gateways, {kind.Key.Kind} {kind.Key.Status}: {kind.Count()}, {(kind.Min(c => c.Started) - FaultAt).TotalSeconds:0.0} to {(kind.Max(c => c.Started) - FaultAt).TotalSeconds:0.0} s after the fault, {kind.Min(c => c.Duration).TotalSeconds:0.00}-{kind.Max(c => c.Duration).TotalSeconds:0.00} s long");
        }

        // Which gateway and what the status said: a gateway's own answer, or the client's channel failing to reach it.
        foreach (var cause in FailedCallsThroughHealthyGateways.GroupBy(c => (c.Silo, c.Status, c.Detail)).OrderByDescending(g => g.Count()).Take(10))
        {
            text.AppendLine(culture, $"    errors through healthy gateways, through silo {cause.Key.Silo}, {cause.Key.Status} \"{cause.Key.Detail}\": {cause.Count()}, {(cause.Min(c => c.Started) - FaultAt).TotalSeconds:0.0} to {(cause.Max(c => c.Started) - FaultAt).TotalSeconds:0.0} s after the fault");
        }

        foreach (var failed in FailedCallsThroughHealthyGateways.Take(20))
        {
            text.AppendLine(culture, $"    ERROR: {failed.Describe(FaultEvents)}");
        }

        foreach (var workload in Workloads)
        {
            text.AppendLine(culture, $"  {workload.Name}: {workload.Calls} calls, {workload.FailedCalls} failed ({workload.FailedCallsDuringFailover} of {workload.CallsDuringFailover} during failover)");
            foreach (var note in workload.Notes)
            {
                text.AppendLine(culture, $"    {note}");
            }

            foreach (var example in workload.LostExamples)
            {
                text.AppendLine(culture, $"    LOST: {example}");
            }

            foreach (var problem in workload.Problems)
            {
                text.AppendLine(culture, $"    PROBLEM: {problem}");
            }
        }

        return text.ToString();

        static string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "never (timed out)";
    }
}

/// <summary>
/// One chaos run on a <see cref="LocalCluster"/>: load from every workload through every silo, the fault mid-load,
/// the silos it took down started again, then every acknowledged write read back. The bench tool and the tests run this
/// same code with different <see cref="ChaosOptions"/>.
/// </summary>
public static class ChaosRun
{
    private const string ProbeSender = "blocked@spam.example";

    public static IReadOnlyList<IChaosWorkload> DefaultWorkloads(Fault fault) => fault switch
    {
        Fault.SiloPause => [new VerdictWorkload(), new RecordWriteWorkload(), new ViolationReportWorkload(), new VerdictFlipWorkload()],
        Fault.RollingRestart => [new VerdictWorkload(), new RecordWriteWorkload(), new ViolationReportWorkload(), new VerdictFlipWorkload(), new FilterListWorkload()],
        _ => [new VerdictWorkload(), new RecordWriteWorkload(), new ViolationReportWorkload()],
    };

    public static async Task<ChaosReport> RunAsync(LocalCluster cluster, ChaosOptions options, IReadOnlyList<IChaosWorkload>? workloads = null, Action<string>? log = null)
    {
        workloads ??= DefaultWorkloads(options.Fault);
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
        var fault = options.Fault switch
        {
            Fault.SiloKill => await KillSiloAsync(context, probe, log),
            Fault.RedisKill => await KillRedisAsync(context, probe, log),
            Fault.SiloPause => await PauseSiloAsync(context, probe, log),
            _ => await RestartEverySiloAsync(context, log),
        };

        var everySiloAnswered = await probe.WaitUntilAnsweringAsync(Enumerable.Range(0, cluster.Silos.Count).ToList(), options.RecoveryTimeout);
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

        // Calls from the fault on: the first calls of a run meet cold grains and a cold process.
        var healthySlow = results.SelectMany(r => r.Timeline?.SlowCalls ?? []).Where(call => call.Ended >= faultAt && !context.ThroughFaultedGateway(call)).ToList();
        var verdicts = results.Single(r => r.Name == "verdicts").Timeline!;
        return new ChaosReport(options.Fault, cluster.Store.Description, results, fault.SurvivorsAnswered - faultAt, everySiloAnswered - faultAt)
        {
            HealthyGatewayVerdictsDuringFailover = verdicts.Between(context.FailoverWindow.Start, context.FailoverWindow.End, (silo, at) => !context.WasFaulted(silo, at)),
            SlowCallsThroughHealthyGateways = healthySlow.Where(call => call.Duration > options.SlowCall).OrderBy(call => call.Started).ToList(),
            FailedCallsThroughHealthyGateways = results.SelectMany(r => r.Timeline?.FailedCalls ?? [])
                .Where(call => call.Ended >= context.FailoverWindow.Start && call.Ended <= context.FailoverWindow.End && !context.ThroughFaultedGateway(call))
                .OrderBy(call => call.Started)
                .ToList(),
            FaultAt = faultAt,
            FaultEvents = context.Events,
            LongestCallThroughHealthyGateways = healthySlow.Select(call => call.Duration).DefaultIfEmpty().Max(),
            Terminations = fault.Terminations,
            ResumedAt = context.ResumedAt,
            ResumedSiloFate = fault.ResumedSiloFate,
        };
    }

    private static async Task<FaultOutcome> KillSiloAsync(ChaosContext context, RecoveryProbe probe, Action<string> log)
    {
        var victim = context.Options.VictimSilo;
        var survivors = Enumerable.Range(0, context.Cluster.Silos.Count).Where(s => s != victim).ToList();
        context.FaultBegins(victim, takeOut: true);
        context.Cluster.Silos[victim].Kill();
        log($"SIGKILL silo {victim}");
        var survivorsAnswered = probe.WaitUntilAnsweringAsync(survivors, context.Options.RecoveryTimeout);
        await Task.Delay(context.Options.RestartAfter);
        await context.Cluster.Silos[victim].RestartAsync(context.Options.RecoveryTimeout);
        await context.ServesAgainAsync(victim);
        log($"silo {victim} restarted and serving");
        return new FaultOutcome(await survivorsAnswered);
    }

    private static async Task<FaultOutcome> KillRedisAsync(ChaosContext context, RecoveryProbe probe, Action<string> log)
    {
        context.Cluster.Redis.Kill();
        log("SIGKILL redis-server");
        var survivorsAnswered = probe.WaitUntilAnsweringAsync(Enumerable.Range(0, context.Cluster.Silos.Count).ToList(), context.Options.RecoveryTimeout);
        await Task.Delay(context.Options.RestartAfter);
        await context.Cluster.Redis.RestartAsync();
        log("redis-server restarted");
        return new FaultOutcome(await survivorsAnswered);
    }

    // The frozen silo keeps getting calls (its health checks have not failed yet) until it is seen to have exited.
    private static async Task<FaultOutcome> PauseSiloAsync(ChaosContext context, RecoveryProbe probe, Action<string> log)
    {
        var victim = context.Options.VictimSilo;
        var silo = context.Cluster.Silos[victim];
        var survivors = Enumerable.Range(0, context.Cluster.Silos.Count).Where(s => s != victim).ToList();
        context.FaultBegins(victim, takeOut: false);
        silo.Pause();
        log($"SIGSTOP silo {victim}");
        var survivorsAnswered = probe.WaitUntilAnsweringAsync(survivors, context.Options.RecoveryTimeout);
        await Task.Delay(context.Options.PauseFor);
        context.ResumedAt = context.Clock.Elapsed;
        silo.Resume();
        log($"SIGCONT silo {victim}");

        // A silo declared dead while frozen stops itself when it wakes (Orleans: "I have been told I am dead").
        var livedOn = await WaitUntilAsync(() => silo.HasExited, TimeSpan.FromSeconds(15)) is false && await silo.IsServingAsync(TimeSpan.FromSeconds(3));
        string fate;
        if (silo.HasExited)
        {
            fate = $"it exited with code {silo.ExitCode} {(context.Clock.Elapsed - context.ResumedAt.Value).TotalSeconds:0.0} s after, and was started again";
            context.TakeOut(victim);
            log($"silo {victim} exited with code {silo.ExitCode}; starting it again");
            await silo.RestartAsync(context.Options.RecoveryTimeout);
        }
        else
        {
            fate = livedOn ? "it served on" : "it did not serve (and did not exit) within 15 s";
        }

        await context.ServesAgainAsync(victim);
        log($"silo {victim}: {fate}");
        return new FaultOutcome(await survivorsAnswered) { ResumedSiloFate = fate };
    }

    private static async Task<FaultOutcome> RestartEverySiloAsync(ChaosContext context, Action<string> log)
    {
        var terminations = new List<Termination>();
        for (var victim = 0; victim < context.Cluster.Silos.Count; victim++)
        {
            terminations.Add(await RestartBySigtermAsync(context, victim, log));
            await Task.Delay(context.Options.BetweenRestarts);
        }

        return new FaultOutcome(null) { Terminations = terminations };
    }

    /// <summary>
    /// One step of a rolling restart: the load balancer takes <paramref name="victim"/> out, it is sent SIGTERM (killed
    /// if it has not exited within <see cref="ChaosOptions.StopTimeout"/>), started again, and gets calls again.
    /// </summary>
    public static async Task<Termination> RestartBySigtermAsync(ChaosContext context, int victim, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(log);
        var silo = context.Cluster.Silos[victim];
        context.FaultBegins(victim, takeOut: true);
        var timer = Stopwatch.StartNew();
        var exited = await silo.TerminateAsync(context.Options.StopTimeout);
        var termination = new Termination(victim, exited, exited ? silo.ExitCode : -1, timer.Elapsed);
        log(exited ? $"SIGTERM silo {victim}: exit code {silo.ExitCode} after {timer.Elapsed.TotalSeconds:0.00} s" : $"SIGTERM silo {victim}: still running after {timer.Elapsed.TotalSeconds:0.0} s, killed");
        silo.Kill();
        await silo.RestartAsync(context.Options.RecoveryTimeout);
        await context.ServesAgainAsync(victim);
        log($"silo {victim} restarted and serving");
        return termination;
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var giveUp = Stopwatch.StartNew();
        while (!condition())
        {
            if (giveUp.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>What the fault's own steps observed.</summary>
    private sealed record FaultOutcome(TimeSpan? SurvivorsAnswered)
    {
        public IReadOnlyList<Termination> Terminations { get; init; } = [];

        public string? ResumedSiloFate { get; init; }
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
