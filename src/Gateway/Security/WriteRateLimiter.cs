using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Security;

/// <summary>Charges a caller's write to its write limit, or refuses it with <c>ResourceExhausted</c>.</summary>
public interface IWriteLimiter
{
    ValueTask AcquireAsync(Caller caller);
}

/// <summary>
/// A token bucket per caller for writes: <see cref="WriteLimitOptions.WritesPerSecond"/> a second on average, up to
/// <see cref="WriteLimitOptions.WriteBurst"/> at once, per provider overridable. Rebuilt (buckets full again) when
/// the configuration changes. The limit is per gateway process: the embedded system's, and the fallback of the
/// cluster-wide <see cref="RedisWriteRateLimiter"/> while Redis does not answer.
/// </summary>
public sealed class WriteRateLimiter : IWriteLimiter, IDisposable
{
    private readonly IDisposable? subscription;
    private volatile Buckets buckets;

    public WriteRateLimiter(IOptionsMonitor<TenancyOptions> options)
    {
        buckets = new Buckets(options.CurrentValue);
        subscription = options.OnChange(changed =>
        {
            var previous = buckets;
            buckets = new Buckets(changed);
            previous.Dispose();
        });
    }

    /// <summary>Takes <paramref name="permits"/> writes from <paramref name="caller"/>'s bucket, or throws <c>ResourceExhausted</c>.</summary>
    public void Acquire(Caller caller, int permits = 1)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!TryAcquire(caller, permits, out var limit))
        {
            throw limit.Refusal(caller.Id);
        }
    }

    public ValueTask AcquireAsync(Caller caller)
    {
        Acquire(caller);
        return ValueTask.CompletedTask;
    }

    public bool TryAcquire(Caller caller, int permits, out WriteLimitOptions limit)
    {
        while (true)
        {
            var current = buckets;
            try
            {
                return current.TryAcquire(caller.Id, permits, out limit);
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(current, buckets))
            {
                // The configuration changed while this call used the old buckets: use the new ones.
            }
        }
    }

    public void Dispose()
    {
        subscription?.Dispose();
        buckets.Dispose();
    }

    private sealed class Buckets : IDisposable
    {
        private readonly TenancyOptions options;
        private readonly PartitionedRateLimiter<string> limiter;

        public Buckets(TenancyOptions options)
        {
            this.options = options;
            limiter = PartitionedRateLimiter.Create<string, string>(callerId =>
            {
                var limit = options.WriteLimitFor(callerId);
                return limit.WritesPerSecond <= 0
                    ? RateLimitPartition.GetNoLimiter(callerId)
                    : RateLimitPartition.GetTokenBucketLimiter(callerId, _ => BucketOptions(limit));
            });
        }

        public bool TryAcquire(string callerId, int permits, out WriteLimitOptions limit)
        {
            limit = options.WriteLimitFor(callerId);
            using var lease = limiter.AttemptAcquire(callerId, permits);
            return lease.IsAcquired;
        }

        public void Dispose() => limiter.Dispose();

        // Refilled ten times a second where the rate allows, so that a bucket never stays empty for a whole second.
        private static TokenBucketRateLimiterOptions BucketOptions(WriteLimitOptions limit)
        {
            var perTenth = limit.WritesPerSecond / 10;
            return new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limit.WriteBurst),
                TokensPerPeriod = perTenth >= 1 ? perTenth : 1,
                ReplenishmentPeriod = perTenth >= 1 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1.0 / limit.WritesPerSecond),
                QueueLimit = 0,
                AutoReplenishment = true,
            };
        }
    }
}
