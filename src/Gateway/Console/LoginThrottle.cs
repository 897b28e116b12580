using Microsoft.Extensions.Options;

namespace Clearinghouse.Gateway.Console;

/// <summary>
/// Locks an account out of the console after <see cref="ConsoleOptions.MaxFailedLogins"/> failed logins within
/// <see cref="ConsoleOptions.LockoutDuration"/>, for that long; a successful login clears its failures. Names that are
/// no account are counted the same way, so the answer does not tell which names exist. Per gateway process; bounded
/// (the oldest failures are forgotten first when too many names are tracked). Thread-safe.
/// </summary>
public sealed class LoginThrottle(IOptionsMonitor<ConsoleOptions> options, TimeProvider clock)
{
    public const int MaxTrackedNames = 10_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> lockedUntil = new(StringComparer.Ordinal);

    /// <summary>True (with the time left) while <paramref name="name"/> is locked out.</summary>
    public bool IsLockedOut(string name, out TimeSpan remaining)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (lockedUntil.TryGetValue(name, out var until) && until > now)
            {
                remaining = until - now;
                return true;
            }

            lockedUntil.Remove(name);
            remaining = TimeSpan.Zero;
            return false;
        }
    }

    /// <summary>Counts a failed login; true when it locks the account out.</summary>
    public bool Failed(string name)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!failures.TryGetValue(name, out var times))
            {
                if (failures.Count >= MaxTrackedNames)
                {
                    Forget(now - settings.LockoutDuration);
                }

                failures[name] = times = [];
            }

            times.RemoveAll(t => t <= now - settings.LockoutDuration);
            times.Add(now);
            if (times.Count < Math.Max(1, settings.MaxFailedLogins))
            {
                return false;
            }

            failures.Remove(name);
            lockedUntil[name] = now + settings.LockoutDuration;
            return true;
        }
    }

    public void Succeeded(string name)
    {
        lock (gate)
        {
            failures.Remove(name);
        }
    }

    private void Forget(DateTimeOffset before)
    {
        foreach (var name in failures.Where(f => f.Value.Count == 0 || f.Value[^1] <= before).Select(f => f.Key).ToList())
        {
            failures.Remove(name);
        }

        if (failures.Count >= MaxTrackedNames)
        {
            failures.Remove(failures.MinBy(f => f.Value[^1]).Key);
        }

        foreach (var name in lockedUntil.Where(l => l.Value <= before).Select(l => l.Key).ToList())
        {
            lockedUntil.Remove(name);
        }
    }
}
