using Clearinghouse.Gateway.Console;
using Microsoft.Extensions.Time.Testing;

namespace Clearinghouse.UnitTests.Security;

/// <summary>The console's lockout: after N failed logins within the lockout duration an account is locked for that long.</summary>
public class LoginThrottleTests
{
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FixedOptions<ConsoleOptions> options = new(new ConsoleOptions { MaxFailedLogins = 3, LockoutDuration = Lockout });

    private LoginThrottle NewThrottle() => new(options, clock);

    [Fact]
    public void The_Nth_failure_locks_the_account_out_for_the_lockout_duration_and_then_it_may_try_again()
    {
        var throttle = NewThrottle();
        Assert.False(throttle.Failed("alice"));
        Assert.False(throttle.Failed("alice"));
        Assert.False(throttle.IsLockedOut("alice", out _));
        Assert.True(throttle.Failed("alice"));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(throttle.IsLockedOut("alice", out var remaining));
        Assert.Equal(TimeSpan.FromMinutes(10), remaining);

        // Other accounts are not affected.
        Assert.False(throttle.IsLockedOut("bob", out _));

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(throttle.IsLockedOut("alice", out var none));
        Assert.Equal(TimeSpan.Zero, none);

        // The count starts afresh after a lockout.
        Assert.False(throttle.Failed("alice"));
        Assert.False(throttle.IsLockedOut("alice", out _));
    }

    [Fact]
    public void Failures_older_than_the_lockout_duration_no_longer_count()
    {
        var throttle = NewThrottle();
        throttle.Failed("alice");
        throttle.Failed("alice");
        clock.Advance(Lockout + TimeSpan.FromSeconds(1));
        Assert.False(throttle.Failed("alice"));
        Assert.False(throttle.Failed("alice"));
        Assert.True(throttle.Failed("alice"));
    }

    [Fact]
    public void A_successful_login_clears_the_failures()
    {
        var throttle = NewThrottle();
        throttle.Failed("alice");
        throttle.Failed("alice");
        throttle.Succeeded("alice");
        Assert.False(throttle.Failed("alice"));
        Assert.False(throttle.Failed("alice"));
        Assert.True(throttle.Failed("alice"));
    }

    [Fact]
    public void A_name_that_is_no_account_is_counted_the_same_way()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 2; i++)
        {
            Assert.False(throttle.Failed("nobody-by-this-name"));
        }

        Assert.True(throttle.Failed("nobody-by-this-name"));
        Assert.True(throttle.IsLockedOut("nobody-by-this-name", out _));
    }

    [Fact]
    public void Changed_settings_apply_to_the_next_failure()
    {
        var throttle = NewThrottle();
        throttle.Failed("alice");
        options.Change(new ConsoleOptions { MaxFailedLogins = 2, LockoutDuration = TimeSpan.FromMinutes(1) });
        Assert.True(throttle.Failed("alice"));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(throttle.IsLockedOut("alice", out _));
    }

    [Fact]
    public void Tracking_is_bounded_and_a_lockout_survives_the_tracking_of_many_other_names()
    {
        var throttle = NewThrottle();
        throttle.Failed("alice");
        throttle.Failed("alice");
        Assert.True(throttle.Failed("alice"));
        for (var i = 0; i < LoginThrottle.MaxTrackedNames + 10; i++)
        {
            throttle.Failed($"guess-{i}");
        }

        Assert.True(throttle.IsLockedOut("alice", out _));
    }
}
