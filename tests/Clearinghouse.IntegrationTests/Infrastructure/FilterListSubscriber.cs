using System.Collections.Concurrent;
using Clearinghouse.Api.V1;
using Grpc.Core;

namespace Clearinghouse.IntegrationTests.Infrastructure;

/// <summary>A client subscribed to the filter-list stream, collecting every update it receives.</summary>
public sealed class FilterListSubscriber : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<FilterListUpdate> call;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<FilterListUpdate> updates = new();
    private readonly Task reading;

    private FilterListSubscriber(FilterList.FilterListClient client, ulong fromVersion)
    {
        call = client.Subscribe(new SubscribeFilterListRequest { FromVersion = fromVersion }, cancellationToken: stop.Token);
        reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in call.ResponseStream.ReadAllAsync(stop.Token))
                {
                    updates.Enqueue(update);
                }
            }
            catch (Exception error) when (error is OperationCanceledException || (error is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
            {
            }
        });
    }

    public IReadOnlyList<FilterListUpdate> Updates => [.. updates];

    public IReadOnlyList<FilterListChange> Changes => updates.Where(u => u.UpdateCase == FilterListUpdate.UpdateOneofCase.Change).Select(u => u.Change).ToList();

    public static FilterListSubscriber Start(FilterList.FilterListClient client, ulong fromVersion) => new(client, fromVersion);

    public async Task WaitForAsync(Func<IReadOnlyList<FilterListUpdate>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Updates))
        {
            if (reading.IsCompleted)
            {
                await reading;
                throw new InvalidOperationException("the subscription ended");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the subscriber did not get what was expected within {timeout}; it has {updates.Count} updates");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await reading;
        call.Dispose();
        stop.Dispose();
    }
}
