using System.Reflection;
using System.Runtime.InteropServices;
using SharpFuzz.Common;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// Edge coverage of assemblies instrumented by SharpFuzz (<c>sharpfuzz Clearinghouse.Domain.dll</c>): instrumented
/// code counts each branch pair it takes in afl-fuzz's 64 KiB bitmap (<see cref="Trace.SharedMem"/>). In-process,
/// this class owns that bitmap: an input is interesting when it takes an edge, or an edge a number of times (afl's
/// buckets), not seen before in this run. Without instrumented assemblies nothing is counted and
/// <see cref="Enabled"/> is false. One run at a time uses the bitmap.
/// </summary>
public sealed unsafe class CoverageMap
{
    public const int Size = 1 << 16;

    private static readonly Lock Gate = new();

    private readonly byte[] virgin = CreateVirgin();

    /// <summary>True when instrumented assemblies are loaded and the bitmap is installed.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Edges (bitmap entries) this run has seen.</summary>
    public int CoveredEdges
    {
        get
        {
            var covered = 0;
            foreach (var b in virgin)
            {
                covered += b != 0xff ? 1 : 0;
            }

            return covered;
        }
    }

    /// <summary>
    /// Installs the bitmap when any of <paramref name="assemblies"/> is instrumented. Must run before instrumented
    /// code does: instrumented code writes through the bitmap pointer, which is null until then.
    /// </summary>
    public static bool Install(IEnumerable<Assembly> assemblies)
    {
        lock (Gate)
        {
            if (Trace.SharedMem == null && assemblies.Any(IsInstrumented))
            {
                Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(Size);
            }

            Enabled = Trace.SharedMem != null;
            return Enabled;
        }
    }

    public static bool IsInstrumented(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Any(name => name.Name == typeof(Trace).Assembly.GetName().Name);

    /// <summary>Clears the bitmap before an input.</summary>
    public void Reset()
    {
        if (Enabled)
        {
            new Span<byte>(Trace.SharedMem, Size).Clear();
            Trace.PrevLocation = 0;
        }
    }

    /// <summary>Folds the last input's bitmap into what has been seen; true when it took something new.</summary>
    public bool MergeNewCoverage()
    {
        if (!Enabled)
        {
            return false;
        }

        var found = false;
        var words = new ReadOnlySpan<ulong>(Trace.SharedMem, Size / sizeof(ulong));
        for (var w = 0; w < words.Length; w++)
        {
            if (words[w] == 0)
            {
                continue;
            }

            for (var i = w * sizeof(ulong); i < (w + 1) * sizeof(ulong); i++)
            {
                var hits = Trace.SharedMem[i];
                if (hits == 0)
                {
                    continue;
                }

                var bucket = Bucket(hits);
                if ((virgin[i] & bucket) != 0)
                {
                    virgin[i] &= (byte)~bucket;
                    found = true;
                }
            }
        }

        return found;
    }

    // afl's hit-count classes: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.
    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        < 8 => 8,
        < 16 => 16,
        < 32 => 32,
        < 128 => 64,
        _ => 128,
    };

    private static byte[] CreateVirgin()
    {
        var virgin = new byte[Size];
        virgin.AsSpan().Fill(0xff);
        return virgin;
    }
}
