using System.Net;
using ARSoft.Tools.Net.Dns;
using Clearinghouse.Gateway.FilterList;
using Clearinghouse.Gateway.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Dnsbl;

/// <summary>
/// The authoritative DNS server of the blocklist zones: UDP on this gateway's own receive loops
/// (<see cref="DnsblUdpListener"/>, the wire format by <see cref="DnsblWire"/>), TCP on ARSoft.Tools.Net's
/// <see cref="DnsServer"/>; both answer what <see cref="DnsblResponder.Decide"/> decides. Its
/// <see cref="DnsblIndex"/> follows this gateway's filter-list replica change by change (<see cref="IFilterListFeed.Follow"/>),
/// each change applied under the replica's lock before the replica's version shows it, so a change is answered without
/// a reload and the answer is never older than the replica. Only before the index has caught up at start does a query
/// wait (up to 100 ms) for it. Optionally keeps rbldnsd data files of the list in a directory.
/// </summary>
public sealed partial class DnsblServer(
    IOptions<DnsblOptions> options,
    IFilterListFeed feed,
    CallerDirectory callers,
    ILogger<DnsblServer> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromMilliseconds(100);

    private readonly DnsblOptions settings = options.Value;
    private readonly DnsblIndex index = new();
    private readonly Lock writer = new();
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource progressed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DnsServer? tcpServer;
    private DnsblUdpListener? udpListener;
    private DnsblResponder? responder;
    private IDisposable? following;
    private int refollowing;
    private Task exporting = Task.CompletedTask;

    /// <summary>The index the zones are answered from (read-only use: tests and diagnostics).</summary>
    public DnsblIndex Index => index;

    /// <summary>The UDP endpoint answering (port 0 in the configuration binds a free port); null until started.</summary>
    public IPEndPoint? UdpEndpoint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            return Task.CompletedTask;
        }

        var zones = BuildZones(settings);
        responder = new DnsblResponder(index, zones, settings, callers);
        following = feed.Follow(index.Version, OnUpdate);
        if (settings.ExportDirectory.Length > 0)
        {
            exporting = ExportAsync(stopping.Token);
        }

        var endpoint = new IPEndPoint(IPAddress.Parse(settings.Address), settings.Port);
        udpListener = new DnsblUdpListener(new DnsblWire(responder, zones), IsBehind, CatchUpAsync, logger);
        UdpEndpoint = udpListener.Bind(endpoint, settings.UdpReceiveThreads);
        tcpServer = new DnsServer(new TcpServerTransport(new IPEndPoint(endpoint.Address, UdpEndpoint.Port)));
        tcpServer.QueryReceived += OnTcpQueryAsync;
        tcpServer.ExceptionThrown += (_, e) =>
        {
            LogServerError(e.Exception);
            return Task.CompletedTask;
        };
        tcpServer.Start();
        LogListening(UdpEndpoint, string.Join(", ", zones.All.Select(z => $"{z.Name} ({z.Kind})")), zones.RequireAccessKey);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        following?.Dispose();
        tcpServer?.Stop();
        if (udpListener is not null)
        {
            await udpListener.DisposeAsync();
        }

        try
        {
            await exporting.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        stopping.Dispose();
    }

    public static DnsblZones BuildZones(DnsblOptions settings)
    {
        var zones = new List<DnsblZone>();
        foreach (var (kind, name, key) in new[]
        {
            (DnsblZoneKind.Ip, settings.IpZone, nameof(DnsblOptions.IpZone)),
            (DnsblZoneKind.Domain, settings.DomainZone, nameof(DnsblOptions.DomainZone)),
            (DnsblZoneKind.Address, settings.AddressZone, nameof(DnsblOptions.AddressZone)),
        })
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                continue;
            }

            try
            {
                zones.Add(new DnsblZone(kind, name));
            }
            catch (ArgumentException error)
            {
                throw new InvalidOperationException($"{DnsblOptions.Section}:{key}: {error.Message}", error);
            }
        }

        if (zones.Count == 0)
        {
            throw new InvalidOperationException($"{DnsblOptions.Section}:Enabled is set but no zone is named (IpZone, DomainZone, AddressZone)");
        }

        if (zones.Select(z => z.Name).Distinct(StringComparer.Ordinal).Count() != zones.Count)
        {
            throw new InvalidOperationException($"{DnsblOptions.Section}: each zone needs its own name");
        }

        return new DnsblZones(zones, settings.RequireAccessKey);
    }

    private async Task OnTcpQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return;
        }

        if (IsBehind())
        {
            await CatchUpAsync();
        }

        e.Response = responder!.Answer(query);
    }

    private bool IsBehind() => feed.Version > index.Version;

    // A change the replica has is answered: wait briefly for the index to apply it. The signal is taken before the
    // versions are compared, so an index that moves on in between completes it.
    private async Task CatchUpAsync()
    {
        var target = feed.Version;
        var deadline = Environment.TickCount64 + (long)CatchUpWait.TotalMilliseconds;
        while (true)
        {
            var signal = Volatile.Read(ref progressed).Task;
            var left = deadline - Environment.TickCount64;
            if (index.Version >= target || left <= 0)
            {
                return;
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(left), stopping.Token);
            }
            catch (Exception error) when (error is TimeoutException or OperationCanceledException)
            {
                return;
            }
        }
    }

    // Called by the replica under its lock, in version order: its catch-up first, then each update.
    private void OnUpdate(ReplicaUpdate update)
    {
        try
        {
            lock (writer)
            {
                if (update.Snapshot is { } slice)
                {
                    Apply(slice);
                }
                else if (update.Change is { } change && change.Version == index.Version + 1)
                {
                    index.Apply(change);
                }
            }
        }
        catch (Exception error)
        {
            // The index is now behind, and later changes no longer follow on from its version: follow again from it
            // (outside the replica's lock, which is held here), as often as it takes.
            LogFollowFailed(error);
            _ = FollowAgainAsync();
        }

        Signal();
    }

    private async Task FollowAgainAsync()
    {
        if (Interlocked.Exchange(ref refollowing, 1) == 1)
        {
            return;
        }

        try
        {
            await Task.Delay(CatchUpWait, stopping.Token);
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            return; // stopping
        }
        finally
        {
            // Cleared before following again: a catch-up that fails in turn schedules the next attempt.
            Volatile.Write(ref refollowing, 0);
        }

        if (!stopping.IsCancellationRequested)
        {
            following?.Dispose();
            following = feed.Follow(index.Version, OnUpdate);
        }
    }

    private void Apply(Domain.FilterListSlice slice)
    {
        if (slice.Snapshot is { } listed)
        {
            index.Reset(listed, slice.SnapshotVersion);
        }

        foreach (var change in slice.Changes)
        {
            if (change.Version == index.Version + 1)
            {
                index.Apply(change);
            }
        }
    }

    private void Signal() =>
        Interlocked.Exchange(ref progressed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task ExportAsync(CancellationToken cancellationToken)
    {
        var exported = -1L;
        using var timer = new PeriodicTimer(settings.ExportInterval);
        do
        {
            try
            {
                IReadOnlyList<Domain.FilterChange> listed;
                long version;
                lock (writer)
                {
                    version = index.Version;
                    listed = version == exported ? [] : index.Listed();
                }

                if (version != exported)
                {
                    RbldnsdExport.WriteFiles(settings.ExportDirectory, [.. listed], version, settings);
                    exported = version;
                }
            }
            catch (IOException error)
            {
                LogExportFailed(settings.ExportDirectory, error);
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DNS blocklist on {Endpoint} (UDP and TCP): {Zones}; access keys required: {RequireAccessKey}")]
    private partial void LogListening(IPEndPoint endpoint, string zones, bool requireAccessKey);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS blocklist server: a query could not be answered")]
    private partial void LogServerError(Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The DNS blocklist could not apply a filter-list update; it follows the filter list again from its own version")]
    private partial void LogFollowFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The rbldnsd export to {Directory} failed; it is tried again")]
    private partial void LogExportFailed(string directory, Exception error);
}
