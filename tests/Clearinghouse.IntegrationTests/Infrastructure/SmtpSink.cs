using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>
/// A real SMTP server on a free loopback port: aiosmtpd (Debian's python3-aiosmtpd, installed by the test command)
/// with its Maildir handler, so every message MailKit sends is received over a genuine SMTP conversation and stored
/// as the server got it. <see cref="Messages"/> parses them back with MimeKit.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string directory;
    private readonly Process process;

    private SmtpSink(int port, string directory, Process process)
    {
        Port = port;
        this.directory = directory;
        this.process = process;
    }

    public int Port { get; }

    private string NewMail => Path.Combine(directory, "maildir", "new");

    public static async Task<SmtpSink> StartAsync()
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException("python3 with aiosmtpd is not installed: run the README's test command (it installs python3-aiosmtpd), or 'apt-get install -y python3-aiosmtpd'.");
        }

        var directory = Directory.CreateTempSubdirectory("clearinghouse-smtp-").FullName;
        var port = FreePort.Next();
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(directory, "maildir") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start aiosmtpd");
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => errors.AppendLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sink = new SmtpSink(port, directory, process);
        await sink.WaitUntilAnsweringAsync(errors);
        return sink;
    }

    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.Exists(NewMail)
            ? Directory.GetFiles(NewMail).Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList()
            : [];

    /// <summary>Waits for <paramref name="count"/> messages (only those to <paramref name="to"/>, when given).</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan timeout, string? to = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = to is null
                ? Messages()
                : Messages().Where(m => m.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, to, StringComparison.OrdinalIgnoreCase))).ToList();
            if (messages.Count >= count)
            {
                return messages;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the SMTP sink received {messages.Count} messages, not {count}, within {timeout}");
            }

            await Task.Delay(25);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilAnsweringAsync(System.Text.StringBuilder errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited at start with code {process.ExitCode}: {errors}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                var buffer = new byte[128];
                var read = await client.GetStream().ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("220", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"aiosmtpd did not answer on port {Port}");
    }
}
