using System.Globalization;
using Clearinghouse.TestSupport;
using Clearinghouse.TestSupport.Chaos;

// Usage: bench/chaos.sh [--runs silo,redis,redis-everysec,pause,rolling,silo-azurite] [--silos 3] [--before S]
//                       [--restart-after S] [--pause S] [--after S] [--callers N] [--writers N]
// Each run starts its own store (Redis; Azurite for silo-azurite) and silos, drives verdicts and writes through every
// silo, injects the fault mid-load (SIGKILL a silo or Redis; SIGSTOP a silo for --pause seconds; SIGTERM every silo in
// turn), restarts what stopped, reads back every acknowledged write and prints what it found. Exit code 1 when a run
// broke a promise.
string Value(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

double Seconds(string name, double fallback) => double.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var runs = Value("--runs", "silo,redis,redis-everysec,pause,rolling").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var silos = int.Parse(Value("--silos", "3"), CultureInfo.InvariantCulture);
var options = new ChaosOptions
{
    BeforeFault = TimeSpan.FromSeconds(Seconds("--before", 20)),
    RestartAfter = TimeSpan.FromSeconds(Seconds("--restart-after", 5)),
    PauseFor = TimeSpan.FromSeconds(Seconds("--pause", 30)),
    AfterRecovery = TimeSpan.FromSeconds(Seconds("--after", 10)),
    VerdictCallers = int.Parse(Value("--callers", "16"), CultureInfo.InvariantCulture),
    Writers = int.Parse(Value("--writers", "8"), CultureInfo.InvariantCulture),
};

Console.WriteLine($"Clearinghouse chaos: {silos} silos, {options.VerdictCallers} verdict callers, {options.Writers} writers, fault after {options.BeforeFault.TotalSeconds:0} s, restart {options.RestartAfter.TotalSeconds:0} s later");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; silo {SiloBinary.Locate()}");
var failed = false;
foreach (var run in runs)
{
    var (fault, fsync, store) = run switch
    {
        "silo" => (Fault.SiloKill, "always", DurableStore.Redis),
        "redis" => (Fault.RedisKill, "always", DurableStore.Redis),
        "redis-everysec" => (Fault.RedisKill, "everysec", DurableStore.Redis),
        "pause" => (Fault.SiloPause, "always", DurableStore.Redis),
        "rolling" => (Fault.RollingRestart, "always", DurableStore.Redis),
        "silo-azurite" => (Fault.SiloKill, "always", DurableStore.Azurite),
        _ => throw new ArgumentException($"--runs: unknown run '{run}' (silo, redis, redis-everysec, pause, rolling, silo-azurite)"),
    };

    Console.WriteLine();
    Console.WriteLine($"== {run}: starting {(store == DurableStore.Azurite ? "Azurite" : $"redis-server (appendfsync {fsync})")} and {silos} silos ...");
    await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Silos = silos, AppendFsync = fsync, Store = store, ClusterId = $"chaos-{run}" });
    var report = await ChaosRun.RunAsync(cluster, options with { Fault = fault }, log: line => Console.WriteLine($"   {DateTime.Now:HH:mm:ss.f} {line}"));
    Console.Write(report);

    // Losing acknowledged writes with appendfsync everysec is the documented risk, not a failure of the run.
    failed |= report.LostWrites > 0 && fsync == "always";
    failed |= report.WrongVerdicts > 0 || report.LostHits > 0 || report.DoubleCountedHits > 0 || report.Problems.Count > 0 || report.SlowCallsThroughHealthyGateways.Count > 0;
    failed |= report.Terminations.Any(t => !t.Exited || t.ExitCode != 0 || t.Took > options.StopTimeout);
}

return failed ? 1 : 0;
