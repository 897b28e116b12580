using Clearinghouse.Gateway.Security;
using Grpc.Core;

namespace Clearinghouse.UnitTests.Security;

public class WriteRateLimiterTests
{
    private static readonly Caller Acme = new("acme", CallerRole.Provider, ["acme.example"]);
    private static readonly Caller Other = new("other", CallerRole.Provider, ["other.example"]);

    private static TenancyOptions Options(int perSecond, int burst, ProviderOptions? acme = null)
    {
        var options = new TenancyOptions { RateLimits = new WriteLimitOptions { WritesPerSecond = perSecond, WriteBurst = burst } };
        options.Providers["acme"] = acme ?? new ProviderOptions();
        options.Providers["other"] = new ProviderOptions();
        return options;
    }

    [Fact]
    public void A_burst_passes_and_the_next_write_is_refused_with_ResourceExhausted_per_provider()
    {
        using var limiter = new WriteRateLimiter(new FixedOptions<TenancyOptions>(Options(perSecond: 1, burst: 3)));
        for (var i = 0; i < 3; i++)
        {
            limiter.Acquire(Acme);
        }

        var refused = Assert.Throws<RpcException>(() => limiter.Acquire(Acme));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("'acme'", refused.Status.Detail);

        // Another provider has a bucket of its own.
        limiter.Acquire(Other);
    }

    [Fact]
    public void A_provider_may_have_its_own_limit_and_zero_means_no_limit()
    {
        using var limiter = new WriteRateLimiter(new FixedOptions<TenancyOptions>(Options(perSecond: 1, burst: 1, acme: new ProviderOptions { WritesPerSecond = 0 })));
        for (var i = 0; i < 1000; i++)
        {
            limiter.Acquire(Acme);
        }

        limiter.Acquire(Other);
        Assert.Throws<RpcException>(() => limiter.Acquire(Other));
    }

    [Fact]
    public void Changed_limits_apply_without_a_restart()
    {
        var monitor = new FixedOptions<TenancyOptions>(Options(perSecond: 1, burst: 1));
        using var limiter = new WriteRateLimiter(monitor);
        limiter.Acquire(Acme);
        Assert.Throws<RpcException>(() => limiter.Acquire(Acme));

        monitor.Change(Options(perSecond: 1, burst: 5));
        for (var i = 0; i < 5; i++)
        {
            limiter.Acquire(Acme);
        }

        Assert.Throws<RpcException>(() => limiter.Acquire(Acme));
    }
}
