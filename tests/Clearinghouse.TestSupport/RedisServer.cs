using System.Diagnostics;
using System.Net.Sockets;

namespace Clearinghouse.TestSupport;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port, with its own data directory and the append-only file on.
/// The test command installs Redis from Debian packages; a missing binary fails the test with a clear message.
/// </summary>
public sealed class RedisServer : IStorageServer
{
    private readonly string dataDirectory;
    private Process? process;

    private RedisServer(int port, string dataDirectory, string appendFsync)
    {
        Port = port;
        this.dataDirectory = dataDirectory;
        AppendFsync = appendFsync;
    }

    public int Port { get; }

    public string AppendFsync { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public string Description => $"redis appendfsync {AppendFsync}";

    public int Pid => process?.Id ?? 0;

    public IReadOnlyDictionary<string, string> SiloSettings => new Dictionary<string, string>
    {
        ["Clearinghouse:Storage"] = "Redis",
        ["Clearinghouse:Redis:ConnectionString"] = ConnectionString,
    };

    public static async Task<RedisServer> StartAsync(string appendFsync = "always")
    {
        var directory = Directory.CreateTempSubdirectory("clearinghouse-redis-").FullName;
        var server = new RedisServer(FreePort.Next(), directory, appendFsync);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port and data directory (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync()
    {
        var binary = FindBinary();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dir", dataDirectory,
                "--appendonly", "yes",
                "--appendfsync", AppendFsync,
                "--save", "",
                "--daemonize", "no",
                "--loglevel", "warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        process = ChildProcesses.Track(Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}"));
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync();
    }

    /// <summary>SIGKILL: no chance to save anything beyond what the append-only file already holds.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        process?.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static string FindBinary()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server is not installed: run the README's test command (it installs it with apt-get), or 'apt-get install -y redis-server'.");
    }

    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start with code {process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"redis-server did not answer on port {Port}");
    }
}
