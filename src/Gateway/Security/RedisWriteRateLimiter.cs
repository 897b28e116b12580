using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Clearinghouse.Gateway.Security;

/// <summary>
/// The write limit across the cluster (durable profile): one token bucket per provider in Redis, taken from by a Lua
/// script that refills it by Redis's own clock, so every gateway draws from the same bucket and N gateways together
/// admit the provider's limit. When Redis does not answer within <see cref="Patience"/> the gateway's own bucket
/// (<see cref="WriteRateLimiter"/>) decides: the limit degrades to one per gateway, as in the embedded profile, rather
/// than refusing writes for a reason of the limiter's own (writes need Redis anyway, and fail on their own while it is
/// unreachable).
/// </summary>
public sealed partial class RedisWriteRateLimiter(
    IConnectionMultiplexer redis,
    string keyPrefix,
    IOptionsMonitor<TenancyOptions> options,
    WriteRateLimiter fallback,
    TimeProvider clock,
    ILogger<RedisWriteRateLimiter> logger) : IWriteLimiter
{
    /// <summary>How long a write waits for Redis's answer before the gateway's own bucket decides.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    // KEYS[1]: the bucket; ARGV: rate (tokens a second), burst (capacity), permits. Returns 1 when admitted.
    private static readonly LuaScript TakeScript = LuaScript.Prepare(
        """
        local rate = tonumber(@rate)
        local burst = tonumber(@burst)
        local permits = tonumber(@permits)
        local time = redis.call('TIME')
        local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
        local bucket = redis.call('HMGET', @key, 'tokens', 'at')
        local tokens = tonumber(bucket[1])
        local at = tonumber(bucket[2])
        if tokens == nil or at == nil then
          tokens = burst
          at = now
        end
        tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
        local admitted = 0
        if tokens >= permits then
          tokens = tokens - permits
          admitted = 1
        end
        redis.call('HSET', @key, 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('EXPIRE', @key, math.ceil(burst / rate) + 60)
        return admitted
        """);

    private long fallbackLoggedAt = long.MinValue;

    public async ValueTask AcquireAsync(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var limit = options.CurrentValue.WriteLimitFor(caller.Id);
        if (limit.WritesPerSecond <= 0)
        {
            return;
        }

        if (!redis.IsConnected)
        {
            await fallback.AcquireAsync(caller);
            return;
        }

        bool admitted;
        try
        {
            var result = await TakeScript.EvaluateAsync(redis.GetDatabase(), new
            {
                key = (RedisKey)(keyPrefix + caller.Id),
                rate = limit.WritesPerSecond,
                burst = Math.Max(1, limit.WriteBurst),
                permits = 1,
            }).WaitAsync(Patience, clock);
            admitted = (int)result == 1;
        }
        catch (Exception error)
        {
            LogFallback(error);
            await fallback.AcquireAsync(caller);
            return;
        }

        if (!admitted)
        {
            throw limit.Refusal(caller.Id);
        }
    }

    private void LogFallback(Exception error)
    {
        // Once a minute at most: while Redis is down every write would say it.
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref fallbackLoggedAt);
        if (last == long.MinValue || clock.GetElapsedTime(last, now) > TimeSpan.FromMinutes(1))
        {
            Interlocked.Exchange(ref fallbackLoggedAt, now);
            LogRedisUnavailable(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer the write limiter; this gateway's own bucket limits writes until it does (each gateway admits the whole limit meanwhile)")]
    private partial void LogRedisUnavailable(Exception error);
}
