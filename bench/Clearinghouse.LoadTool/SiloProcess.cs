using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;

namespace Clearinghouse.LoadTool;

/// <summary>
/// A silo (with its co-hosted gateway) as a separate OS process, so that its CPU time can be read apart from the
/// load tool's. Started from the built <c>Clearinghouse.Silo.dll</c> with settings as command-line arguments.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process process;

    private SiloProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public static async Task<SiloProcess> StartAsync(string siloDll, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        var port = settings.TryGetValue("Kestrel:Endpoints:Grpc:Url", out var url) ? new Uri(url).Port : FreePort();
        var all = new Dictionary<string, string>(settings)
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
        };
        all.TryAdd("Clearinghouse:Cluster:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        all.TryAdd("Clearinghouse:Cluster:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        all.TryAdd("Logging:LogLevel:Default", "Warning");

        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(siloDll))!,
        };
        start.ArgumentList.Add(Path.GetFullPath(siloDll));
        foreach (var (key, value) in all)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo");
        var output = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Add(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.Add(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var silo = new SiloProcess(process, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await silo.WaitUntilServingAsync(timeout);
        }
        catch
        {
            lock (output)
            {
                Console.Error.WriteLine(string.Join(Environment.NewLine, output.TakeLast(40)));
            }

            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    public TimeSpan Cpu() => CpuMeter.ProcessCpu(process.Id);

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (process.HasExited)
        {
            return;
        }

        _ = Kill(process.Id, SigTerm);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
    }

    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited at start with code {process.ExitCode}");
            }

            try
            {
                var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the silo did not report healthy within {timeout}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
