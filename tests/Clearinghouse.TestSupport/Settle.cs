namespace Clearinghouse.TestSupport;

/// <summary>
/// For "and nothing more arrived" assertions: after the expected events, wait until none has arrived for a quiet
/// period measured from the latest one, so that a late duplicate is still seen (a fixed sleep would miss one that
/// arrives just after it, and wait needlessly when nothing is pending).
/// </summary>
public static class Settle
{
    /// <summary>Waits until <paramref name="count"/> has not changed for <paramref name="quiet"/>; fails after <paramref name="timeout"/>.</summary>
    public static async Task UntilQuietAsync(Func<int> count, TimeSpan quiet, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = count();
        var lastChange = DateTime.UtcNow;
        while (DateTime.UtcNow - lastChange < quiet)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"events kept arriving for {timeout} (now {last}); never quiet for {quiet}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(5, quiet.TotalMilliseconds / 20)));
            var now = count();
            if (now != last)
            {
                last = now;
                lastChange = DateTime.UtcNow;
            }
        }
    }
}
