using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// The DNS blocklist's UDP side: one socket and a few dedicated threads blocking in <c>recvfrom</c> on it, each with
/// its own query and answer buffers and peer address, answering each datagram inline (<see cref="DnsblWire"/>) without
/// a task, a message object or a copy per query. Blocking threads rather than <c>ReceiveFromAsync</c> loops: a profile
/// of the async loops showed the epoll thread, the thread pool's hand-offs and its spinning costing more CPU per query
/// than reading and answering it. Only a query that arrives while the index is behind this gateway's replica
/// (<c>isBehind</c>) leaves its thread: it is copied and answered once <c>catchUp</c> completes, so no thread waits.
/// </summary>
public sealed partial class DnsblUdpListener(
    DnsblWire wire,
    Func<bool> isBehind,
    Func<Task> catchUp,
    ILogger logger) : IAsyncDisposable
{
    // Largest query read: a query with a 255-octet name and EDNS options is far below it.
    private const int MaxQueryLength = 4096;

    // How often a blocked receive wakes to see whether the listener is stopping.
    private static readonly TimeSpan StopCheck = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stopping = new();
    private Socket? socket;
    private Thread[] threads = [];

    public IPEndPoint Bind(IPEndPoint endpoint, int receiveThreads)
    {
        // Room for bursts from resolvers with many queries in flight (the kernel caps it at net.core.rmem_max).
        socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 1 << 20,
            ReceiveTimeout = (int)StopCheck.TotalMilliseconds,
        };
        socket.Bind(endpoint);
        var bound = socket;
        threads = [.. Enumerable.Range(0, Math.Max(1, receiveThreads)).Select(i => new Thread(() => ReceiveLoop(bound)) { IsBackground = true, Name = $"dnsbl-udp-{i}" })];
        foreach (var thread in threads)
        {
            thread.Start();
        }

        return (IPEndPoint)socket.LocalEndPoint!;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket?.Dispose();
        await Task.Run(() =>
        {
            foreach (var thread in threads)
            {
                thread.Join(StopCheck * 3);
            }
        });
        stopping.Dispose();
    }

    private void ReceiveLoop(Socket listening)
    {
        var query = new byte[MaxQueryLength];
        var answer = new byte[DnsblWire.MaxAnswerLength];
        var peer = new SocketAddress(listening.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = listening.ReceiveFrom(query, SocketFlags.None, peer);
                if (received >= MaxQueryLength)
                {
                    continue;
                }

                if (isBehind())
                {
                    _ = AnswerWhenCaughtUpAsync(listening, query.AsMemory(0, received).ToArray(), CopyOf(peer));
                    continue;
                }

                var length = wire.Answer(query.AsSpan(0, received), answer);
                if (length > 0)
                {
                    listening.SendTo(answer.AsSpan(0, length), SocketFlags.None, peer);
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                // Nothing arrived within StopCheck: look at the stopping flag, then wait again.
            }
            catch (SocketException error) when (stopping.IsCancellationRequested || error.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException error)
            {
                // A peer's ICMP error reported on the socket, or a send that failed: this query is lost, the next is served.
                LogSocketError(error.SocketErrorCode, error);
            }
        }
    }
    private async Task AnswerWhenCaughtUpAsync(Socket listening, byte[] query, SocketAddress peer)
    {
        try
        {
            await catchUp();
            var answer = new byte[DnsblWire.MaxAnswerLength];
            var length = wire.Answer(query, answer);
            if (length > 0)
            {
                await listening.SendToAsync(answer.AsMemory(0, length), SocketFlags.None, peer);
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
    }

    private static SocketAddress CopyOf(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(copy.Buffer);
        return copy;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS blocklist: a UDP receive or send failed ({Error}); serving on")]
    private partial void LogSocketError(SocketError error, Exception exception);
}
