using System.Collections.Concurrent;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.TestSupport.Chaos;

/// <summary>
/// A filter-list subscriber on every silo, and a lister that gets fresh senders listed all along (reports from two
/// providers by six recipients each). A subscriber whose stream ends resubscribes to its silo from its last version, as
/// the API asks: it must then receive every change exactly once and in order, its streams must end only with
/// <c>UNAVAILABLE</c> (a stopping gateway), and at the end it must hold the list's version.
/// </summary>
public sealed class FilterListWorkload : IChaosWorkload
{
    private const int RecipientsPerListing = 6;
    private readonly CallTimeline timeline = new();
    private readonly ConcurrentDictionary<string, int> endings = new();
    private readonly ConcurrentQueue<string> problems = new();
    private Subscriber[] subscribers = [];
    private long listingsRequested;

    public string Name => "filter-list subscribers";

    public Task PrepareAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        subscribers = Enumerable.Range(0, context.Cluster.Silos.Count).Select(silo => new Subscriber(silo)).ToArray();
        return Task.CompletedTask;
    }

    public Task RunAsync(ChaosContext context, CancellationToken stop) =>
        Task.WhenAll(subscribers.Select(s => Task.Run(() => SubscribeAsync(context, s, stop))).Append(Task.Run(() => ListAsync(context, stop))));

    public async Task<WorkloadResult> VerifyAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var version = (await ChaosContext.RetryAsync(
            async () => await new FilterList.FilterListClient(context.NextInvoker()).GetSnapshotAsync(new GetFilterListSnapshotRequest(), deadline: ChaosContext.Deadline(), cancellationToken: cancellationToken),
            cancellationToken)).Version;
        foreach (var subscriber in subscribers)
        {
            // Replicas renew their subscription every 30 s at most; a subscriber is behind only until then.
            var caughtUp = await CatchUpAsync(context, subscriber, version, TimeSpan.FromSeconds(40), cancellationToken);
            if (!caughtUp)
            {
                problems.Enqueue($"subscriber on silo {subscriber.Silo} holds version {subscriber.Version}, the list is at {version}");
            }
        }

        var ended = string.Join(", ", endings.OrderBy(e => e.Key).Select(e => $"{e.Key} {e.Value}"));
        return WorkloadResult.From(Name, context, timeline) with
        {
            Problems = problems.Take(10).ToList(),
            Notes = [$"list at version {version} after {Interlocked.Read(ref listingsRequested)} listings requested; subscriber streams ended: {(ended.Length == 0 ? "never" : ended)}"],
        };
    }

    private static string Sender(int run, long i) => $"listed-{run}-{i}@lister.example";

    // Reads from the subscriber's version again (a fresh stream) until it reaches version, or gives up.
    private async Task<bool> CatchUpAsync(ChaosContext context, Subscriber subscriber, ulong version, TimeSpan patience, CancellationToken cancellationToken)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveUp.CancelAfter(patience);
        while (subscriber.Version < version && !giveUp.IsCancellationRequested)
        {
            try
            {
                await ReadAsync(context, subscriber, until: version, giveUp.Token);
            }
            catch (Exception error) when (error is OperationCanceledException || error is RpcException { StatusCode: StatusCode.Cancelled or StatusCode.Unavailable })
            {
            }
        }

        return subscriber.Version >= version;
    }

    private async Task SubscribeAsync(ChaosContext context, Subscriber subscriber, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadAsync(context, subscriber, until: null, stop);
                endings.AddOrUpdate("OK", 1, (_, n) => n + 1);
                problems.Enqueue($"subscriber on silo {subscriber.Silo}: the stream ended without a status");
            }
            catch (RpcException error) when (!stop.IsCancellationRequested)
            {
                endings.AddOrUpdate(error.StatusCode.ToString(), 1, (_, n) => n + 1);
                if (error.StatusCode != StatusCode.Unavailable)
                {
                    problems.Enqueue($"subscriber on silo {subscriber.Silo}: the stream ended with {error.StatusCode} ({error.Status.Detail})");
                }

                await Task.Delay(200, CancellationToken.None);
            }
            catch (Exception error) when (error is OperationCanceledException || (error is RpcException && stop.IsCancellationRequested))
            {
            }
        }
    }

    private async Task ReadAsync(ChaosContext context, Subscriber subscriber, ulong? until, CancellationToken cancellationToken)
    {
        using var call = new FilterList.FilterListClient(context.Invoker(subscriber.Silo)).Subscribe(new SubscribeFilterListRequest { FromVersion = subscriber.Version }, cancellationToken: cancellationToken);
        await foreach (var update in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (update.UpdateCase == FilterListUpdate.UpdateOneofCase.Snapshot)
            {
                subscriber.Version = update.Snapshot.Version;
            }
            else if (update.Change.Version != subscriber.Version + 1)
            {
                problems.Enqueue($"subscriber on silo {subscriber.Silo}: change {update.Change.Version} came after version {subscriber.Version}");
                subscriber.Version = Math.Max(subscriber.Version, update.Change.Version);
            }
            else
            {
                subscriber.Version = update.Change.Version;
            }

            if (subscriber.Version >= until)
            {
                return;
            }
        }
    }

    // One fresh sender after another, each reported by six recipients through both providers, so that it is listed.
    private async Task ListAsync(ChaosContext context, CancellationToken stop)
    {
        var run = Random.Shared.Next(1_000_000);
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            var sender = Sender(run, i);
            for (var r = 0; r < RecipientsPerListing && !stop.IsCancellationRequested; r++)
            {
                var second = r % 2 == 1;
                var recipient = second ? $"lister{r}@{HarnessTenant.SecondDomain}" : $"lister{r}@{HarnessTenant.Domain}";
                var report = ViolationReportWorkload.Report($"list-{run}-{i}-{r}", recipient, sender, DateTimeOffset.UtcNow);
                await context.CallAsync(timeline, async invoker => await new Reports.ReportsClient(invoker).SubmitViolationAsync(report, deadline: ChaosContext.Deadline()), "violation", sender, asSecondProvider: second);
            }

            Interlocked.Increment(ref listingsRequested);
        }
    }

    private sealed class Subscriber(int silo)
    {
        public int Silo { get; } = silo;

        public ulong Version { get; set; }
    }
}
