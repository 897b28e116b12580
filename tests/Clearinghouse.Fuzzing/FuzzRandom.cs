namespace Clearinghouse.Fuzzing;

/// <summary>The run's only source of randomness: seeded, so that a run and every input it made can be repeated.</summary>
public sealed class FuzzRandom(int seed)
{
    private readonly Random random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>0 ≤ result &lt; <paramref name="maxExclusive"/>.</summary>
    public int Next(int maxExclusive) => random.Next(maxExclusive);

    /// <summary><paramref name="min"/> ≤ result ≤ <paramref name="max"/>.</summary>
    public int Between(int min, int max) => random.Next(min, max + 1);

    public long NextLong(long min, long maxExclusive) => random.NextInt64(min, maxExclusive);

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public void NextBytes(Span<byte> buffer) => random.NextBytes(buffer);

    /// <summary>A small count that is usually 1 and sometimes much larger (for repetitions and stacked mutations).</summary>
    public int SmallCount(int max) => Math.Min(max, 1 << random.Next(BitLength(max)));

    private static int BitLength(int value) => 32 - int.LeadingZeroCount(Math.Max(1, value));
}
