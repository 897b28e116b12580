using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;

namespace Clearinghouse.TestSupport;

/// <summary>
/// A silo (with its co-hosted gateway) as a separate OS process, started from the built <c>Clearinghouse.Silo.dll</c>
/// with settings as command-line arguments, by default in the dll's directory (the silo reads the appsettings.json
/// beside it from anywhere). Its ports are fixed at first start, so <see cref="RestartAsync"/> brings the same silo
/// back after <see cref="Kill"/>.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private const int OutputLines = 200;

    private readonly string siloDll;
    private readonly Dictionary<string, string> settings;
    private readonly string workingDirectory;
    private readonly IReadOnlyDictionary<string, string?> environment;
    private readonly LinkedList<string> output = new();
    private Process process = null!;
    private StreamWriter? logFile;

    private SiloProcess(string siloDll, Dictionary<string, string> settings, Uri address, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        this.siloDll = siloDll;
        this.settings = settings;
        this.environment = environment ?? new Dictionary<string, string?>();
        this.workingDirectory = workingDirectory ?? Path.GetDirectoryName(siloDll)!;
        Address = address;
    }

    /// <summary>The gRPC endpoint (plaintext, loopback).</summary>
    public Uri Address { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public IReadOnlyDictionary<string, string> Settings => settings;

    /// <summary>The process's last lines of output (stdout and stderr).</summary>
    public string RecentOutput
    {
        get
        {
            lock (output)
            {
                return string.Join(Environment.NewLine, output);
            }
        }
    }

    /// <summary>
    /// Starts a silo with <paramref name="settings"/> (free ports where none are given) and returns once it serves.
    /// <paramref name="workingDirectory"/> defaults to the dll's directory. <paramref name="environment"/> sets variables
    /// of the process's environment (null removes one the harness has); the rest is inherited.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string siloDll, IReadOnlyDictionary<string, string> settings, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var silo = Create(siloDll, settings, workingDirectory, environment);
        await silo.RestartAsync(timeout);
        return silo;
    }

    /// <summary>Starts a silo that is expected not to start: waits until it exits, and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string siloDll, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        await using var silo = Create(siloDll, settings, workingDirectory: null, environment: null);
        silo.Launch();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await silo.process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the silo was still running after {timeout}:{Environment.NewLine}{silo.RecentOutput}");
        }

        return (silo.process.ExitCode, silo.RecentOutput);
    }

    private static SiloProcess Create(string siloDll, IReadOnlyDictionary<string, string> settings, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        var port = settings.TryGetValue("Kestrel:Endpoints:Grpc:Url", out var url) ? new Uri(url).Port : FreePort.Next();
        var all = new Dictionary<string, string>(settings)
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{port}",
        };
        all.TryAdd("Clearinghouse:Cluster:SiloPort", FreePort.Next().ToString(CultureInfo.InvariantCulture));
        all.TryAdd("Clearinghouse:Cluster:GatewayPort", FreePort.Next().ToString(CultureInfo.InvariantCulture));
        all.TryAdd("Logging:LogLevel:Default", "Warning");
        return new SiloProcess(Path.GetFullPath(siloDll), all, new Uri($"http://127.0.0.1:{port}"), workingDirectory, environment);
    }

    /// <summary>Starts the process (again, after it stopped) with the same settings and ports; returns once it serves.</summary>
    public async Task RestartAsync(TimeSpan timeout)
    {
        if (process is { HasExited: false })
        {
            throw new InvalidOperationException("the silo is still running");
        }

        Launch();
        try
        {
            await WaitUntilServingAsync(timeout);
        }
        catch
        {
            Console.Error.WriteLine(RecentOutput);
            Kill();
            throw;
        }
    }

    public TimeSpan Cpu() => CpuMeter.ProcessCpu(process.Id);

    private void Launch()
    {
        process?.Dispose();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(siloDll);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        process = ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException("could not start the silo"));
        OpenLogFile();
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: the process ends at once, with no chance to flush, deactivate or leave the cluster.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            _ = Signal(process.Id, SigKill);
            process.WaitForExit();
        }
    }

    /// <summary>SIGSTOP: the process is frozen (not dead): its sockets stay open, it answers nothing until <see cref="Resume"/>.</summary>
    public void Pause() => _ = Signal(process.Id, SigStop);

    /// <summary>SIGCONT: a paused process runs on from where it was frozen.</summary>
    public void Resume() => _ = Signal(process.Id, SigCont);

    /// <summary>The management port's base address (health, <c>/metrics</c>), when the silo has one.</summary>
    public Uri? ManagementAddress =>
        settings.TryGetValue("Clearinghouse:Management:Port", out var port) ? new Uri($"http://127.0.0.1:{port}") : null;

    /// <summary>SIGTERM, then waits up to <paramref name="timeout"/> for the process to exit; true when it did.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        if (process.HasExited)
        {
            return true;
        }

        _ = Signal(process.Id, SigTerm);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, and SIGKILL if it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (process is null || !await TerminateAsync(timeout))
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            Resume();
        }

        await StopAsync(TimeSpan.FromSeconds(15));
        process?.Dispose();
        lock (output)
        {
            logFile?.Dispose();
        }
    }

    /// <summary>Whether the silo answers gRPC health checks with Serving (an active cluster member).</summary>
    public async Task<bool> IsServingAsync(TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        try
        {
            var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow + timeout);
            return reply.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited at start with code {process.ExitCode}");
            }

            if (await IsServingAsync(TimeSpan.FromSeconds(2)))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the silo did not report healthy within {timeout}");
    }

    // CLEARINGHOUSE_SILO_LOG_DIR keeps every line a silo prints (for tracing a chaos run afterwards): one file per
    // silo (its gRPC port), appended to across restarts, each line stamped with the harness's clock.
    private void OpenLogFile()
    {
        if (Environment.GetEnvironmentVariable("CLEARINGHOUSE_SILO_LOG_DIR") is not { Length: > 0 } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        lock (output)
        {
            logFile?.Dispose();
            logFile = new StreamWriter(Path.Combine(directory, $"silo-{Address.Port}.log"), append: true) { AutoFlush = true };
            logFile.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} === started, pid {process.Id}");
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            logFile?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            output.AddLast(line);
            if (output.Count > OutputLines)
            {
                output.RemoveFirst();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);
}
