using System.Text;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// Byte-level mutations of an input, stacked a few at a time (afl's "havoc"): bit flips, interesting bytes, deletions,
/// duplications and repetitions of a slice, splices with another input, digits replaced by boundary numbers, ASCII
/// case flips, and insertions of the target's tokens and of Unicode that parsers get wrong (case mappings that change
/// length, other dots and at-signs, controls, invalid UTF-8).
/// </summary>
public sealed class Mutator(FuzzRandom random, IReadOnlyList<string> dictionary, int maxBytes)
{
    /// <summary>Text that is often special: separators, controls, Unicode with surprising case mappings or normalisation.</summary>
    public static readonly IReadOnlyList<string> InterestingText =
    [
        "\0", "\r\n", "\r", "\n", "\t", " ", "  ", "\u00a0", "\u0085", "\u2028", "\u200b", "\ufeff", "\u202e",
        "\u0130", "\u0131", "\u023a", "\u2c65", "\u00df", "\u1e9e", "\u03a3", "\u0345", "\ufb03", "\u212a", "\u0301",
        "\u3002", "\uff0e", "\uff61", "\uff20", "\ufe6b", "\uff0a", "\uff3b", "\uff3d", "\ud83d\ude00", "\ufffd",
        "\u0663", "\uff11", "xn--", "XN--", "xn--a", "%", "%%", "\\", "\"", "'", "<", ">", "<>", "@", "@@", ".", "..",
        "*", "*.", "[", "]", ":", "::", "/", "//", "=", ",", ";", "-", "_", "{", "}",
    ];

    /// <summary>Numbers at the edges of the limits parsers check.</summary>
    public static readonly IReadOnlyList<string> InterestingNumbers =
    [
        "0", "00", "01", "007", "1", "7", "8", "9", "10", "24", "31", "32", "33", "63", "64", "65", "96", "127", "128",
        "129", "253", "254", "255", "256", "450", "451", "998", "999", "1000", "65535", "65536", "2147483647",
        "2147483648", "4294967295", "4294967296", "9223372036854775807", "99999999999999999999", "-1", "+1", "1e3",
        "0x10", "0x7f", "\u0663",
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xed, 0xf4, 0xf5, 0xfe, 0xff];

    // Sequences no valid UTF-8 contains: overlong, surrogate, beyond U+10FFFF, truncated.
    private static readonly byte[][] InvalidUtf8 = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];

    private readonly byte[][] tokens = dictionary.Concat(InterestingText).Select(Encoding.UTF8.GetBytes).Concat(InvalidUtf8).ToArray();
    private readonly byte[][] numbers = InterestingNumbers.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>A mutant of <paramref name="input"/>; <paramref name="other"/> is spliced in by some mutations.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        var rounds = random.SmallCount(16);
        for (var i = 0; i < rounds; i++)
        {
            MutateOnce(data, other);
        }

        if (data.Count > maxBytes)
        {
            data.RemoveRange(maxBytes, data.Count - maxBytes);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, byte[] other)
    {
        switch (random.Next(14))
        {
            case 0 when data.Count > 0:
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = random.Chance(0.5) ? random.Pick(InterestingBytes) : (byte)random.Next(256);
                break;
            case 2 when data.Count > 0:
            {
                var (start, length) = Slice(data.Count);
                data.RemoveRange(start, length);
                break;
            }

            case 3 or 4:
                data.InsertRange(random.Next(data.Count + 1), random.Pick(tokens));
                break;
            case 5 when data.Count > 0:
            {
                var (start, length) = Slice(data.Count);
                var at = random.Next(data.Count + 1);
                data.InsertRange(at, data.GetRange(start, length));
                break;
            }

            case 6 when data.Count > 0:
            {
                // Repeat a slice many times: length limits and quadratic behaviour.
                var (start, length) = Slice(data.Count);
                var times = Math.Min(random.SmallCount(256), Math.Max(0, maxBytes - data.Count) / length);
                var repeated = new byte[times * length];
                for (var t = 0; t < times; t++)
                {
                    data.CopyTo(start, repeated, t * length, length);
                }

                data.InsertRange(start, repeated);
                break;
            }

            case 7 when other.Length > 0:
            {
                var cut = random.Next(data.Count + 1);
                var from = random.Next(other.Length);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            }

            case 8:
                ReplaceNumber(data);
                break;
            case 9 when data.Count > 0:
            {
                var (start, length) = Slice(data.Count);
                for (var i = start; i < start + length; i++)
                {
                    if (data[i] is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z')
                    {
                        data[i] ^= 0x20;
                    }
                }

                break;
            }

            case 10 when data.Count > 0:
            {
                var cut = random.Next(data.Count);
                data.RemoveRange(cut, data.Count - cut);
                break;
            }

            case 11:
            {
                var bytes = new byte[random.SmallCount(16)];
                random.NextBytes(bytes);
                data.InsertRange(random.Next(data.Count + 1), bytes);
                break;
            }

            case 12 when data.Count > 0:
            {
                // Overwrite a slice with a token.
                var (start, length) = Slice(data.Count);
                data.RemoveRange(start, length);
                data.InsertRange(start, random.Pick(tokens));
                break;
            }

            default:
                data.Insert(random.Next(data.Count + 1), random.Pick(InterestingBytes));
                break;
        }
    }

    // Replaces a run of ASCII digits (or inserts, when there is none) with a boundary number.
    private void ReplaceNumber(List<byte> data)
    {
        var number = random.Pick(numbers);
        var digits = new List<int>();
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || data[i - 1] is < (byte)'0' or > (byte)'9'))
            {
                digits.Add(i);
            }
        }

        if (digits.Count == 0)
        {
            data.InsertRange(random.Next(data.Count + 1), number);
            return;
        }

        var start = random.Pick(digits);
        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, number);
    }

    private (int Start, int Length) Slice(int count)
    {
        var start = random.Next(count);
        var length = Math.Min(count - start, random.SmallCount(count));
        return (start, Math.Max(1, length));
    }
}
