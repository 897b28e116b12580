using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Clearinghouse.Domain;
using Clearinghouse.Gateway.Security;
using Clearinghouse.Gateway.Verdicts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Policy;

/// <summary>
/// The Postfix SMTPD policy delegation server: one TCP listener per configured <see cref="PolicyListenerOptions"/>.
/// Postfix keeps a connection per smtpd process and sends many requests on it, one at a time, so thousands of
/// long-lived connections are normal: each costs a small buffer and no thread. A connection from outside the
/// listener's allowed networks, beyond <see cref="PolicyOptions.MaxConnections"/>, idle longer than
/// <see cref="PolicyOptions.IdleTimeout"/>, or sending anything that is not a policy request is closed (logged,
/// without a reply, as the protocol asks); everyone else is served on.
/// Idle connections are found by one sweep over all connections (every tenth of the idle timeout, between 100 ms and
/// 10 s), not by a timer per connection: re-arming a timer and registering a cancellation on every receive cost each
/// request more than the sweep costs in all. So a connection is closed between one and 1.1 idle timeouts after its
/// last request.
/// </summary>
public sealed partial class PolicyListener(
    IOptions<PolicyOptions> options,
    CallerDirectory callers,
    PolicyResponder responder,
    ILogger<PolicyListener> logger) : IHostedService, IDisposable
{
    private readonly PolicyOptions settings = options.Value;
    private readonly List<Socket> sockets = [];
    private readonly List<Task> acceptLoops = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<OpenConnection, byte> open = new();
    private Timer? idleSweep;
    private int openConnections;

    /// <summary>The bound endpoint of each listener, by name (port 0 in the configuration binds a free port).</summary>
    public Dictionary<string, IPEndPoint> Endpoints { get; } = new(StringComparer.Ordinal);

    public int OpenConnections => Volatile.Read(ref openConnections);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, listener) in settings.Listeners)
        {
            var allowed = listener.ParseAllowedNetworks(name);
            if (!callers.TryGetProvider(listener.Provider, out var provider))
            {
                throw new InvalidOperationException($"{PolicyOptions.Section}:Listeners:{name}:Provider: '{listener.Provider}' is not a configured provider (Clearinghouse:Providers)");
            }

            if (!IPAddress.TryParse(listener.Address, out var address) || listener.Port is < 0 or > 65535)
            {
                throw new InvalidOperationException($"{PolicyOptions.Section}:Listeners:{name}: '{listener.Address}' port {listener.Port} is not an address and port to listen on");
            }

            if (listener.TimeBudget <= TimeSpan.Zero || listener.TimeBudget >= TimeSpan.FromSeconds(100))
            {
                throw new InvalidOperationException($"{PolicyOptions.Section}:Listeners:{name}:TimeBudget must be above zero and well under Postfix's 100 s policy timeout");
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, listener.Port));
            socket.Listen(1024);
            sockets.Add(socket);
            Endpoints[name] = (IPEndPoint)socket.LocalEndPoint!;
            var answering = new PolicyListenerSettings(name, provider, listener.WhenUnavailable, listener.TimeBudget, listener.AllowRecordsAnswerOk);
            acceptLoops.Add(AcceptAsync(socket, answering, allowed, stopping.Token));
            LogListening(name, Endpoints[name], provider.Id, listener.WhenUnavailable);
        }

        if (sockets.Count > 0)
        {
            var every = TimeSpan.FromTicks(Math.Clamp(settings.IdleTimeout.Ticks / 10, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(10).Ticks));
            idleSweep = new Timer(_ => CloseIdleConnections(), null, every, every);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (idleSweep is not null)
        {
            await idleSweep.DisposeAsync();
        }

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        // A receive waits with no cancellation token (one per request cost a registration): closing ends it.
        foreach (var connection in open.Keys)
        {
            connection.Socket.Dispose();
        }

        await Task.WhenAll(acceptLoops).WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        idleSweep?.Dispose();
        stopping.Dispose();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        foreach (var connection in open.Keys)
        {
            connection.Socket.Dispose();
        }
    }

    private void CloseIdleConnections()
    {
        var now = Environment.TickCount64;
        var idleMillis = (long)settings.IdleTimeout.TotalMilliseconds;
        foreach (var connection in open.Keys)
        {
            if (now - Volatile.Read(ref connection.LastReceived) >= idleMillis)
            {
                connection.ClosedIdle = true;
                connection.Socket.Dispose();
            }
        }
    }

    private async Task AcceptAsync(Socket listening, PolicyListenerSettings answering, IReadOnlyList<IpPrefix> allowed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listening.AcceptAsync(cancellationToken);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException error)
            {
                LogAcceptFailed(answering.Name, error);
                continue;
            }

            var remote = connection.RemoteEndPoint as IPEndPoint;
            var client = remote is null ? null : IpPrefix.Canonical(remote.Address);
            if (client is null || !allowed.Any(network => network.Contains(client)))
            {
                LogRefused(answering.Name, remote?.ToString() ?? "?", "not in the listener's allowed networks");
                connection.Dispose();
                continue;
            }

            if (Interlocked.Increment(ref openConnections) > settings.MaxConnections)
            {
                Interlocked.Decrement(ref openConnections);
                LogRefused(answering.Name, remote!.ToString(), $"more than {settings.MaxConnections} connections are open");
                connection.Dispose();
                continue;
            }

            _ = ServeAsync(connection, remote!, answering, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket connection, IPEndPoint remote, PolicyListenerSettings answering, CancellationToken stoppingToken)
    {
        var limits = settings.Limits;
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var filled = 0;
        var tracked = new OpenConnection(connection);
        open.TryAdd(tracked, 0);
        connection.NoDelay = true;
        var replyBuffer = ArrayPool<byte>.Shared.Rent(4096);
        (PolicyRequest Request, string Action)? lastRecipientAnswer = null;
        var connectionVerdicts = new ConnectionVerdictMemo();
        try
        {
            while (true)
            {
                // Answer every whole request in the buffer (Postfix waits for each answer, but a client may pipeline).
                var consumed = 0;
                while (true)
                {
                    var parsed = PolicyRequestParser.Parse(buffer.AsSpan(consumed, filled - consumed), limits);
                    if (parsed.Status == PolicyParseStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (parsed.Status == PolicyParseStatus.Malformed)
                    {
                        LogMalformed(answering.Name, remote.ToString(), parsed.Error);
                        return;
                    }

                    consumed += parsed.Consumed;
                    var request = parsed.Request!;

                    // With smtpd_delay_reject (the default), a check_policy_service in smtpd_client_restrictions asks
                    // again at RCPT, on the same connection, what the one in smtpd_recipient_restrictions asks: the
                    // same request gets the same answer without a second check (one hit, one bounce notice).
                    string action;
                    if (request.ProtocolState == PolicyProtocolState.Rcpt && lastRecipientAnswer is { } last && last.Request == request)
                    {
                        action = last.Action;
                    }
                    else
                    {
                        action = await responder.AnswerAsync(request, answering, connectionVerdicts, stoppingToken);
                        ClearinghouseTelemetry.PolicyRequests.Add(1, new System.Diagnostics.TagList
                        {
                            { "state", StateTag(request.ProtocolState) },
                            { "action", PolicyActions.Verb(action) },
                        });
                        if (request.ProtocolState == PolicyProtocolState.Rcpt)
                        {
                            lastRecipientAnswer = (request, action);
                        }
                    }

                    if (PolicyActions.EncodedLength(action) > replyBuffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(replyBuffer);
                        replyBuffer = ArrayPool<byte>.Shared.Rent(PolicyActions.EncodedLength(action));
                    }

                    var replyLength = PolicyActions.Encode(action, replyBuffer);
                    await connection.SendAsync(replyBuffer.AsMemory(0, replyLength), SocketFlags.None);
                }

                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }

                if (filled == buffer.Length)
                {
                    // The parser reports a request over the limit as malformed, so the buffer never grows beyond it.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limits.MaxRequestBytes + 1));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                Volatile.Write(ref tracked.LastReceived, Environment.TickCount64);
                filled += read;
            }
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, the connection was idle too long, or the gateway is stopping.
            if (tracked.ClosedIdle && !stoppingToken.IsCancellationRequested)
            {
                LogIdleClosed(answering.Name, remote.ToString());
            }
        }
        finally
        {
            open.TryRemove(tracked, out _);
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(replyBuffer);
            connection.Dispose();
            Interlocked.Decrement(ref openConnections);
        }
    }

    /// <summary>An open policy connection, as the idle sweep sees it.</summary>
    private sealed class OpenConnection(Socket socket)
    {
        public readonly Socket Socket = socket;

        /// <summary><see cref="Environment.TickCount64"/> when the connection last received bytes (or opened).</summary>
        public long LastReceived = Environment.TickCount64;

        public volatile bool ClosedIdle;
    }

    private static string StateTag(PolicyProtocolState state) => state switch
    {
        PolicyProtocolState.Connect => "connect",
        PolicyProtocolState.Helo => "helo",
        PolicyProtocolState.Ehlo => "ehlo",
        PolicyProtocolState.Mail => "mail",
        PolicyProtocolState.Rcpt => "rcpt",
        PolicyProtocolState.Data => "data",
        PolicyProtocolState.EndOfMessage => "endofmessage",
        PolicyProtocolState.Vrfy => "vrfy",
        PolicyProtocolState.Etrn => "etrn",
        _ => "other",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Postfix policy listener {Listener} on {Endpoint} for provider {Provider}; when the cluster cannot answer: {Mode}")]
    private partial void LogListening(string listener, IPEndPoint endpoint, string provider, PolicyFailureMode mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy listener {Listener}: closed a connection from {Remote}: {Problem}")]
    private partial void LogMalformed(string listener, string remote, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy listener {Listener}: refused a connection from {Remote}: {Why}")]
    private partial void LogRefused(string listener, string remote, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Policy listener {Listener}: closed an idle connection from {Remote}")]
    private partial void LogIdleClosed(string listener, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy listener {Listener}: accepting a connection failed")]
    private partial void LogAcceptFailed(string listener, Exception error);
}
