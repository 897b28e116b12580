using System.Diagnostics;
using Clearinghouse.Api.V1;
using Clearinghouse.Gateway.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Clearinghouse.IntegrationTests;

/// <summary>With Redis storage, a provider's write limit holds across gateways (a token bucket in Redis).</summary>
[Collection(LocalClusterCollection.Name)]
public class ClusterWriteLimitTests(LocalClusterFixture fixture)
{
    private static readonly Caller Acme = new("acme", CallerRole.Provider, ["acme.example"]);

    [Fact]
    public async Task Two_gateway_processes_together_admit_the_providers_limit_not_twice_it()
    {
        var silos = fixture.Cluster.Silos;
        var connections = silos.Take(2).Select(s => HarnessTenant.Connect(s.Address, LocalClusterFixture.LimitedKey)).ToList();
        try
        {
            var records = connections.Select(c => new Records.RecordsClient(c.Invoker)).ToList();
            var started = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
            {
                try
                {
                    await records[i % 2].AddRecordAsync(new AddRecordRequest { Recipient = $"user{i}@{LocalClusterFixture.LimitedDomain}", Pattern = "spam.example", Action = RecordAction.Reject });
                    return (StatusCode.OK, "");
                }
                catch (RpcException error)
                {
                    return (error.StatusCode, error.Status.Detail);
                }
            }));
            var elapsed = started.Elapsed;

            var admitted = outcomes.Count(o => o.Item1 == StatusCode.OK);
            Assert.All(outcomes, o => Assert.True(o.Item1 is StatusCode.OK or StatusCode.ResourceExhausted, $"{o.Item1}: {o.Item2}\n{silos[0].RecentOutput}\n{silos[1].RecentOutput}"));
            Assert.InRange(admitted, LocalClusterFixture.LimitedBurst, LocalClusterFixture.LimitedBurst + (int)Math.Ceiling(LocalClusterFixture.LimitedPerSecond * elapsed.TotalSeconds));
        }
        finally
        {
            connections.ForEach(c => c.Channel.Dispose());
        }
    }

    [Fact]
    public async Task Limiters_on_one_Redis_share_each_providers_bucket_and_fall_back_to_their_own_while_Redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        var options = new TenancyOptions { RateLimits = new WriteLimitOptions { WritesPerSecond = 1, WriteBurst = 4 } };
        using var first = await ConnectAsync(redis);
        using var second = await ConnectAsync(redis);
        var limiters = new[] { Limiter(first, options), Limiter(second, options) };

        var admitted = 0;
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 12; i++)
        {
            admitted += await AdmittedAsync(limiters[i % 2]);
        }

        Assert.InRange(admitted, 4, 4 + (int)Math.Ceiling(started.Elapsed.TotalSeconds));

        // Redis gone: each gateway limits alone (its own bucket, full), rather than refusing every write.
        redis.Kill();
        var fallback = 0;
        var down = Stopwatch.StartNew();
        for (var i = 0; i < 12; i++)
        {
            fallback += await AdmittedAsync(limiters[i % 2]);
        }

        Assert.InRange(fallback, 8, 8 + (2 * (int)Math.Ceiling(down.Elapsed.TotalSeconds)));
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisServer redis)
    {
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString);
        configuration.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    private static RedisWriteRateLimiter Limiter(IConnectionMultiplexer redis, TenancyOptions options)
    {
        var monitor = new StaticOptions(options);
        return new RedisWriteRateLimiter(redis, "test/write-limit/", monitor, new WriteRateLimiter(monitor), TimeProvider.System, NullLogger<RedisWriteRateLimiter>.Instance);
    }

    private static async Task<int> AdmittedAsync(IWriteLimiter limiter)
    {
        try
        {
            await limiter.AcquireAsync(Acme);
            return 1;
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.ResourceExhausted)
        {
            return 0;
        }
    }

    private sealed class StaticOptions(TenancyOptions value) : IOptionsMonitor<TenancyOptions>
    {
        public TenancyOptions CurrentValue => value;

        public TenancyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<TenancyOptions, string?> listener) => null;
    }
}
