using System.Diagnostics;
using Clearinghouse.Api.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Clearinghouse.IntegrationTests;

public class SubscriberShutdownTests(ITestOutputHelper output)
{
    private const int Subscribers = 100;

    [Fact]
    public async Task SIGTERM_with_open_subscriptions_and_a_check_stream_ends_every_stream_with_Unavailable_and_exits_0_within_5_seconds()
    {
        await using var redis = await RedisServer.StartAsync();
        var options = new LocalClusterOptions { Silos = 1, ClusterId = "sigterm-subscribers" };
        await using var silo = await SiloProcess.StartAsync(options.SiloDll, LocalCluster.SiloSettings(options, redis), options.StartTimeout);
        var (channel, invoker) = HarnessTenant.Connect(silo.Address);
        using (channel)
        {
            var filterList = new FilterList.FilterListClient(invoker);
            var subscriptions = Enumerable.Range(0, Subscribers).Select(_ => filterList.Subscribe(new SubscribeFilterListRequest())).ToList();
            var ended = subscriptions.Select(s => EndOfAsync(s.ResponseStream)).ToList();

            // A check stream with an answered check, left open as an MTA leaves its stream open.
            using var checks = new Verdicts.VerdictsClient(invoker).CheckStream();
            await checks.RequestStream.WriteAsync(new StreamCheckRequest { Id = 1, Check = new CheckRecipientRequest { Recipient = $"open@{HarnessTenant.Domain}", Sender = "a@b.example" } });
            Assert.True(await checks.ResponseStream.MoveNext(CancellationToken.None));
            ended.Add(EndOfAsync(checks.ResponseStream));

            // Every subscription has been taken by the server (it sends nothing until a change: the health check
            // after them goes over the same connections, so the streams are open by then).
            await Task.Delay(500);
            Assert.All(ended, e => Assert.False(e.IsCompleted, "a stream ended before SIGTERM"));

            var stopping = Stopwatch.StartNew();
            Assert.True(await silo.TerminateAsync(TimeSpan.FromSeconds(30)), silo.RecentOutput);
            var stopTook = stopping.Elapsed;
            output.WriteLine($"SIGTERM to exit: {stopTook.TotalSeconds:0.00} s");
            var endings = await Task.WhenAll(ended).WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(silo.ExitCode == 0, $"exit code {silo.ExitCode}: {silo.RecentOutput}");
            Assert.True(stopTook < TimeSpan.FromSeconds(5), $"stopping took {stopTook}");
            foreach (var ending in endings.Where(e => e.StatusCode != StatusCode.Unavailable))
            {
                output.WriteLine($"a stream ended with {ending.StatusCode}: {ending.Detail} {ending.DebugException}");
            }

            Assert.All(endings, status => Assert.Equal(StatusCode.Unavailable, status.StatusCode));
        }
    }

    /// <summary>The status a server stream ended with (OK if it ended without an error).</summary>
    private static async Task<Status> EndOfAsync<T>(IAsyncStreamReader<T> stream)
    {
        try
        {
            while (await stream.MoveNext(CancellationToken.None))
            {
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException error)
        {
            return error.Status;
        }
    }
}
