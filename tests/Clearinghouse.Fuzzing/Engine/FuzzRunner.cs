using System.Diagnostics;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// Runs one target in-process: its seeds first, then inputs generated from its grammar or mutated from the corpus.
/// The target runs on a worker thread; this thread watches it, so an input that runs past the time-out is reported
/// as a hang (the stuck worker is left behind: a hang ends the run). Deterministic for a given seed and options,
/// except where a time limit ends the run.
/// </summary>
public static class FuzzRunner
{
    private const double GenerateShare = 0.25;
    private const int CorpusCapacity = 4096;
    private const int MinimizeBudget = 4000;
    private static readonly TimeSpan SeedTimeout = TimeSpan.FromSeconds(60);

    public static FuzzReport Run(FuzzTarget target, FuzzOptions options)
    {
        var run = new Session(target, options);
        var worker = new Thread(run.Loop, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = $"fuzz {target.Name}" };
        worker.Start();
        var nextProgress = Stopwatch.GetTimestamp() + (long)(options.ProgressInterval.TotalSeconds * Stopwatch.Frequency);
        while (!worker.Join(TimeSpan.FromMilliseconds(50)))
        {
            if (run.CheckHang())
            {
                break;
            }

            if (options.Progress is { } progress && Stopwatch.GetTimestamp() >= nextProgress)
            {
                progress(run.Report());
                nextProgress += (long)(options.ProgressInterval.TotalSeconds * Stopwatch.Frequency);
            }
        }

        return run.Report();
    }

    /// <summary>Runs one input once: null when the target handled it, else the finding it causes.</summary>
    public static FuzzFinding? Replay(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Execute(input);
            return null;
        }
        catch (Exception error)
        {
            return new FuzzFinding(target.Name, KindOf(error), SignatureOf(error), 0, 0, input, error.ToString());
        }
    }

    private static FindingKind KindOf(Exception error) => error is InvariantViolation ? FindingKind.Invariant : FindingKind.Crash;

    // Where the failure is: the exception type and the innermost frame in the project's own code (where a fix goes).
    private static string SignatureOf(Exception error)
    {
        var frames = new StackTrace(error, fNeedFileInfo: true).GetFrames();
        var own = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType is { } type
                && type != typeof(InvariantViolation)
                && (type.Namespace ?? "").StartsWith("Clearinghouse", StringComparison.Ordinal))
            ?? frames.FirstOrDefault();
        var method = own?.GetMethod();
        var where = method is null ? "?" : $"{method.DeclaringType?.Name}.{method.Name}:{own!.GetFileLineNumber()}";
        return $"{error.GetType().Name} at {where}";
    }

    private sealed class Session(FuzzTarget target, FuzzOptions options)
    {
        private readonly FuzzRandom random = new(options.Seed);
        private readonly CoverageMap coverage = new();
        private readonly List<FuzzFinding> findings = [];
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly TimeSpan cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly long timeoutTicks = (long)(options.InputTimeout.TotalSeconds * Stopwatch.Frequency);

        // The seeds run first and pay for JIT compilation and static initialisation: they get longer.
        private readonly long seedTimeoutTicks = (long)(Math.Max(options.InputTimeout.TotalSeconds, SeedTimeout.TotalSeconds) * Stopwatch.Frequency);
        private long seedCount = long.MaxValue;
        private Corpus corpus = null!;
        private long inputs;
        private long accepted;
        private long slowestTicks;
        private volatile byte[]? current;
        private long currentStarted;
        private long currentIndex;

        public void Loop()
        {
            CoverageMap.Install(FuzzTargets.TargetAssemblies);
            corpus = new Corpus(random, CorpusCapacity);
            var seeds = target.Seeds().Concat(options.ExtraSeeds).ToList();
            Interlocked.Exchange(ref seedCount, seeds.Count);
            foreach (var seed in seeds)
            {
                corpus.AddSeed(seed);
            }

            var mutator = new Mutator(random, target.Dictionary, target.MaxInputBytes);
            for (long index = 0; index < options.Inputs && !TimeIsUp(); index++)
            {
                var input = index < seeds.Count ? seeds[(int)index]
                    : random.Chance(GenerateShare) ? target.Generate(random)
                    : mutator.Mutate(corpus.Pick(), corpus.Pick());
                if (input.Length > target.MaxInputBytes)
                {
                    input = input[..target.MaxInputBytes];
                }

                var (outcome, error) = Execute(input, index);
                Interlocked.Increment(ref inputs);
                if (error is not null)
                {
                    if (Record(error, input, index))
                    {
                        return;
                    }

                    continue;
                }

                if (outcome == FuzzOutcome.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }

                var newCoverage = coverage.MergeNewCoverage();
                if (newCoverage || (!CoverageMap.Enabled && (outcome == FuzzOutcome.Accepted || random.Chance(0.01))))
                {
                    corpus.Add(input);
                }
            }
        }

        public bool CheckHang()
        {
            var input = current;
            var started = Interlocked.Read(ref currentStarted);
            var limit = Interlocked.Read(ref currentIndex) < Interlocked.Read(ref seedCount) ? seedTimeoutTicks : timeoutTicks;
            if (input is null || started == 0 || Stopwatch.GetTimestamp() - started < limit)
            {
                return false;
            }

            lock (findings)
            {
                findings.Add(new FuzzFinding(
                    target.Name,
                    FindingKind.Hang,
                    "hang",
                    options.Seed,
                    Interlocked.Read(ref currentIndex),
                    input,
                    $"the input ran longer than {options.InputTimeout.TotalSeconds:0.###} s"));
            }

            return true;
        }

        public FuzzReport Report()
        {
            lock (findings)
            {
                return new FuzzReport(
                    target.Name,
                    options.Seed,
                    Interlocked.Read(ref inputs),
                    Interlocked.Read(ref accepted),
                    clock.Elapsed,
                    Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart,
                    corpus?.Count ?? 0,
                    CoverageMap.Enabled ? coverage.CoveredEdges : null,
                    TimeSpan.FromSeconds((double)Interlocked.Read(ref slowestTicks) / Stopwatch.Frequency),
                    [.. findings]);
            }
        }

        private bool TimeIsUp() => options.Duration is { } limit && clock.Elapsed >= limit;

        private (FuzzOutcome Outcome, Exception? Error) Execute(byte[] input, long index)
        {
            coverage.Reset();
            Interlocked.Exchange(ref currentIndex, index);
            current = input;
            var started = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref currentStarted, started);
            try
            {
                return (target.Execute(input), null);
            }
            catch (Exception error)
            {
                return (FuzzOutcome.Rejected, error);
            }
            finally
            {
                Interlocked.Exchange(ref currentStarted, 0);
                current = null;
                var took = Stopwatch.GetTimestamp() - started;
                if (took > slowestTicks)
                {
                    Interlocked.Exchange(ref slowestTicks, took);
                }
            }
        }

        // Keeps the first input of each kind of failure (minimized); true when the run has found enough.
        private bool Record(Exception error, byte[] input, long index)
        {
            var signature = SignatureOf(error);
            lock (findings)
            {
                if (findings.Any(f => f.Signature == signature))
                {
                    return false;
                }
            }

            // Not under the lock: the watchdog takes it to report a minimization step that hangs.
            if (options.Minimize)
            {
                (input, error) = Minimize(input, error, signature);
            }

            lock (findings)
            {
                findings.Add(new FuzzFinding(target.Name, KindOf(error), signature, options.Seed, index, input, error.ToString()));
                return findings.Count >= options.MaxFindings;
            }
        }

        // Removes ever smaller chunks while the input still fails the same way.
        private (byte[] Input, Exception Error) Minimize(byte[] input, Exception error, string signature)
        {
            var budget = MinimizeBudget;
            for (var chunk = Math.Max(1, input.Length / 2); chunk >= 1 && budget > 0; chunk /= 2)
            {
                for (var start = 0; start + chunk <= input.Length && budget-- > 0;)
                {
                    byte[] candidate = [.. input.AsSpan(0, start), .. input.AsSpan(start + chunk)];
                    var (_, candidateError) = Execute(candidate, -1);
                    if (candidateError is not null && SignatureOf(candidateError) == signature)
                    {
                        (input, error) = (candidate, candidateError);
                    }
                    else
                    {
                        start += chunk;
                    }
                }

                if (chunk == 1)
                {
                    break;
                }
            }

            return (input, error);
        }
    }
}
