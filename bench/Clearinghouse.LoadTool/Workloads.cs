using System.Diagnostics;
using System.Runtime.InteropServices;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.LoadTool;

/// <summary>What one measured run produced.</summary>
public sealed record RunResult(long Calls, long Errors, TimeSpan Elapsed, Latencies? Latency = null, Latencies? SchedulerLag = null);

/// <summary>Ways of offering load: closed loop (as fast as answers come), pipelined streams, and open loop at a fixed rate.</summary>
public static partial class Workloads
{
    /// <summary><paramref name="concurrency"/> callers, each starting its next call when the previous one is answered.</summary>
    public static async Task<RunResult> ClosedLoopAsync(int concurrency, Func<long, Task> call, TimeSpan duration)
    {
        long calls = 0, errors = 0, next = 0;
        using var stop = new CancellationTokenSource(duration);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await call(Interlocked.Increment(ref next));
                    Interlocked.Increment(ref calls);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return new RunResult(calls, errors, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// <paramref name="streams"/> bidirectional streams, each keeping up to <paramref name="window"/> checks in flight.
    /// </summary>
    public static async Task<RunResult> StreamingAsync(Verdicts.VerdictsClient client, IReadOnlyList<CheckRecipientRequest> checks, int streams, int window, TimeSpan duration)
    {
        long answered = 0, errors = 0;
        var started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, streams).Select(async s =>
        {
            using var call = client.CheckStream();
            using var credit = new SemaphoreSlim(window);
            var reading = Task.Run(async () =>
            {
                await foreach (var answer in call.ResponseStream.ReadAllAsync())
                {
                    if (answer.ResultCase == StreamCheckResponse.ResultOneofCase.Error)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    else
                    {
                        Interlocked.Increment(ref answered);
                    }

                    credit.Release();
                }
            });

            var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            ulong id = (ulong)s << 40;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await credit.WaitAsync();
                var check = checks[(int)(id % (ulong)checks.Count)];
                await call.RequestStream.WriteAsync(new StreamCheckRequest { Id = id++, Check = check });
            }

            await call.RequestStream.CompleteAsync();
            await reading;
        }).ToArray();
        await Task.WhenAll(tasks);
        return new RunResult(answered, errors, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Offers <paramref name="ratePerSecond"/> calls a second whatever the answers do (open loop). Latency is measured
    /// from each call's scheduled start, so a slow answer delays nothing and hides nothing. A dedicated thread
    /// fires the calls, sleeping in steps of about 100 µs.
    /// </summary>
    public static async Task<RunResult> OpenLoopAsync(Func<long, Task> call, double ratePerSecond, TimeSpan duration)
    {
        var latency = new Latencies();
        var lag = new Latencies();
        long errors = 0, completed = 0;
        var total = (long)(ratePerSecond * duration.TotalSeconds);
        var pending = new List<Task>((int)Math.Min(total, 1_000_000));
        var ticksPerCall = Stopwatch.Frequency / ratePerSecond;
        var started = Stopwatch.GetTimestamp();

        var scheduler = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var due = started + (long)(i * ticksPerCall);
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    var wait = due - now;
                    if (wait <= 0)
                    {
                        break;
                    }

                    var micros = wait * 1_000_000 / Stopwatch.Frequency;
                    _ = USleep((uint)Math.Min(micros, 100));
                }

                lag.Add((Stopwatch.GetTimestamp() - due) * 1_000_000.0 / Stopwatch.Frequency);
                pending.Add(Timed(i, due));
            }
        })
        { IsBackground = true, Name = "open-loop scheduler" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(pending);
        return new RunResult(completed, errors, Stopwatch.GetElapsedTime(started), latency, lag);

        async Task Timed(long i, long due)
        {
            try
            {
                await call(i);
                Interlocked.Increment(ref completed);
                latency.Add((Stopwatch.GetTimestamp() - due) * 1_000_000.0 / Stopwatch.Frequency);
            }
            catch (Exception error) when (error is RpcException or IOException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
