using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// A real Postfix (Debian's <c>postfix</c>, installed by the test command) started by a test as root with its own
/// configuration, queue and data directories: <c>smtpd</c> services on free loopback ports (each with its own
/// <c>-o</c> overrides), accepted mail relayed to <c>relayhost</c>, the log in a file. When <c>nameServer</c> is given,
/// Postfix runs in a mount namespace of its own whose <c>/etc/resolv.conf</c> names that server (port 53), so that its
/// DNS blocklist lookups reach a server the test started, and nothing else on the machine changes.
/// </summary>
public sealed class PostfixServer : IAsyncDisposable
{
    private readonly string directory;
    private readonly Dictionary<string, int> ports;

    private PostfixServer(string directory, Dictionary<string, int> ports)
    {
        this.directory = directory;
        this.ports = ports;
    }

    private string ConfigDirectory => Path.Combine(directory, "config");

    private string LogFile => Path.Combine(directory, "maillog");

    public int Port(string service) => ports[service];

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <param name="mainCf">Lines added to the harness's main.cf.</param>
    /// <param name="services">smtpd services by name, each with its <c>-o name=value</c> overrides.</param>
    /// <param name="relayPort">Where accepted mail goes (an <see cref="SmtpSink"/>).</param>
    /// <param name="nameServer">The resolver Postfix uses (an address on loopback, port 53), or none.</param>
    public static async Task<PostfixServer> StartAsync(IEnumerable<string> mainCf, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> services, int relayPort, string? nameServer = null)
    {
        if (!File.Exists("/usr/sbin/postfix") || !File.Exists("/usr/bin/swaks"))
        {
            throw new InvalidOperationException("Postfix and swaks are not installed: run the README's test command (it installs postfix, swaks and bind9-dnsutils), or 'apt-get install -y postfix swaks'.");
        }

        var directory = Directory.CreateTempSubdirectory("clearinghouse-postfix-").FullName;

        // Postfix's daemons run as the postfix user: they must be able to reach the data and queue directories.
        await Run("chmod", "755", directory);
        var ports = services.Keys.ToDictionary(name => name, _ => FreePort.Next(), StringComparer.Ordinal);
        var server = new PostfixServer(directory, ports);
        Directory.CreateDirectory(server.ConfigDirectory);
        Directory.CreateDirectory(Path.Combine(directory, "queue"));
        var data = Directory.CreateDirectory(Path.Combine(directory, "data")).FullName;
        await Run("chown", "postfix", data);

        var main = new StringBuilder();
        main.AppendLine("compatibility_level = 3.6")
            .AppendLine(CultureInfo.InvariantCulture, $"queue_directory = {directory}/queue")
            .AppendLine(CultureInfo.InvariantCulture, $"data_directory = {data}")
            .AppendLine(CultureInfo.InvariantCulture, $"maillog_file = {server.LogFile}")
            .AppendLine("maillog_file_prefixes = /tmp")
            .AppendLine("inet_interfaces = 127.0.0.1")
            .AppendLine("inet_protocols = ipv4")
            .AppendLine("myhostname = mx.postfix.test")
            .AppendLine("mydomain = postfix.test")
            .AppendLine("mydestination =")
            .AppendLine("mynetworks = 192.0.2.1/32")
            .AppendLine("smtpd_peername_lookup = no")
            .AppendLine(CultureInfo.InvariantCulture, $"relayhost = [127.0.0.1]:{relayPort}")
            .AppendLine("smtp_host_lookup = native")
            .AppendLine("smtputf8_enable = yes");
        foreach (var line in mainCf)
        {
            main.AppendLine(line);
        }

        await File.WriteAllTextAsync(Path.Combine(server.ConfigDirectory, "main.cf"), main.ToString());
        await File.WriteAllTextAsync(Path.Combine(server.ConfigDirectory, "master.cf"), MasterCf(services, ports));

        var start = nameServer is null
            ? Run("/usr/sbin/postfix", "-c", server.ConfigDirectory, "start")
            : StartWithResolverAsync(server, directory, nameServer);
        var (exit, output) = await start;
        if (exit != 0)
        {
            throw new InvalidOperationException($"postfix did not start ({exit}): {output}\n{server.Log()}");
        }

        foreach (var port in ports.Values)
        {
            await WaitForBannerAsync(port, server);
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await Run("/usr/sbin/postfix", "-c", ConfigDirectory, "stop");
        var pidFile = Path.Combine(directory, "queue", "pid", "master.pid");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists(pidFile) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string MasterCf(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> services, Dictionary<string, int> ports)
    {
        var master = new StringBuilder();
        foreach (var (name, overrides) in services)
        {
            master.AppendLine(CultureInfo.InvariantCulture, $"127.0.0.1:{ports[name]} inet n - n - - smtpd");
            foreach (var (key, value) in overrides)
            {
                master.AppendLine(CultureInfo.InvariantCulture, $"  -o {{ {key} = {value} }}");
            }
        }

        foreach (var line in new[]
        {
            "pickup unix n - n 60 1 pickup", "cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr",
            "rewrite unix - - n - - trivial-rewrite", "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce", "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap", "smtp unix - - n - - smtp", "relay unix - - n - - smtp",
            "showq unix n - n - - showq", "error unix - - n - - error", "retry unix - - n - - error",
            "discard unix - - n - - discard", "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        })
        {
            master.AppendLine(line);
        }

        return master.ToString();
    }

    // A private mount namespace in which /etc/resolv.conf is the test's: Postfix's master and every daemon it starts
    // live in it (the postfix command daemonises the master inside), the rest of the machine does not see it.
    private static async Task<(int, string)> StartWithResolverAsync(PostfixServer server, string directory, string nameServer)
    {
        var resolvConf = Path.Combine(directory, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, $"nameserver {nameServer}\noptions timeout:1 attempts:1\n");
        return await Run("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            $"mount --bind '{resolvConf}' /etc/resolv.conf && exec /usr/sbin/postfix -c '{server.ConfigDirectory}' start");
    }

    private static async Task WaitForBannerAsync(int port, PostfixServer server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                var buffer = new byte[256];
                var read = await client.GetStream().ReadAsync(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("220", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Postfix did not answer on port {port}: {server.Log()}");
    }

    internal static async Task<(int ExitCode, string Output)> Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}

/// <summary>swaks (Debian), speaking SMTP to a server as a sending MTA would; returns its transcript.</summary>
public static class Swaks
{
    /// <summary>
    /// One SMTP transaction from <paramref name="from"/> to <paramref name="to"/> (several recipients comma-separated),
    /// from the loopback address <paramref name="clientAddress"/>; stops after RCPT unless <paramref name="deliver"/>.
    /// </summary>
    public static async Task<SwaksResult> SendAsync(int port, string from, string to, string clientAddress = "127.0.0.1", bool deliver = false, string helo = "client.postfix.test", string? subject = null)
    {
        var arguments = new List<string>
        {
            "--server", $"127.0.0.1:{port}", "--local-interface", clientAddress, "--from", from, "--to", to, "--helo", helo,
            "--timeout", "30",
        };
        if (!deliver)
        {
            arguments.AddRange(["--quit-after", "RCPT"]);
        }

        if (subject is not null)
        {
            arguments.AddRange(["--header", $"Subject: {subject}"]);
        }

        var (exit, output) = await PostfixServer.Run("/usr/bin/swaks", [.. arguments]);
        return new SwaksResult(exit, output);
    }
}

public sealed record SwaksResult(int ExitCode, string Transcript)
{
    /// <summary>The server's reply lines to RCPT TO:&lt;<paramref name="recipient"/>&gt; (or to the connection, when it refused it earlier).</summary>
    public string ReplyTo(string recipient)
    {
        var lines = Transcript.Split('\n');
        var rcpt = Array.FindIndex(lines, l => l.Contains($"RCPT TO:<{recipient}>", StringComparison.OrdinalIgnoreCase));
        if (rcpt < 0)
        {
            return string.Join('\n', lines.Where(l => l.StartsWith("<** ", StringComparison.Ordinal)));
        }

        return lines.Length > rcpt + 1 ? lines[rcpt + 1].Trim() : "";
    }
}
