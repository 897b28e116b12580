namespace Clearinghouse.Fuzzing;

/// <summary>
/// The inputs mutations start from: the seeds (always kept) and, up to a capacity, inputs found interesting (new
/// coverage, or accepted by the parser when there is no coverage); when full, a new input replaces a random non-seed.
/// </summary>
public sealed class Corpus(FuzzRandom random, int capacity)
{
    private readonly List<byte[]> entries = [];
    private int seeds;

    public int Count => entries.Count;

    public IReadOnlyList<byte[]> Entries => entries;

    public void AddSeed(byte[] input)
    {
        entries.Insert(seeds, input);
        seeds++;
    }

    public void Add(byte[] input)
    {
        if (entries.Count < capacity)
        {
            entries.Add(input);
        }
        else if (entries.Count > seeds)
        {
            entries[seeds + random.Next(entries.Count - seeds)] = input;
        }
    }

    public byte[] Pick() => entries.Count == 0 ? [] : random.Pick(entries);
}
