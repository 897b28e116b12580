using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Domain;

public static class DomainSuffixLookup
{
    /// <summary>
    /// The value for the longest strict parent of <paramref name="domain"/> (for <c>a.b.example</c>: <c>b.example</c>,
    /// then <c>example</c>) found in <paramref name="byParent"/>, without allocating.
    /// </summary>
    public static bool TryMatchLongestParent<T>(Dictionary<string, T> byParent, string domain, [MaybeNullWhen(false)] out T value)
    {
        if (byParent.Count > 0)
        {
            var lookup = byParent.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var parent in new DomainParents(domain))
            {
                if (lookup.TryGetValue(parent, out value))
                {
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}
