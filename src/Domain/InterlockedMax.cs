namespace Clearinghouse.Domain;

/// <summary>Raises a shared value to at least a given one, atomically (never lowers it).</summary>
public static class InterlockedMax
{
    public static void Raise(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
