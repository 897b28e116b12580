using System.Text;

namespace Clearinghouse.Fuzzing;

/// <summary>
/// A parser of one string. Input bytes are decoded as UTF-8 with replacement characters, as gRPC (protobuf) and text
/// protocols deliver strings, so a parser meets exactly the strings outside callers can send.
/// </summary>
public abstract class TextFuzzTarget : FuzzTarget
{
    public sealed override IEnumerable<byte[]> Seeds() => SeedTexts().Select(Encoding.UTF8.GetBytes);

    public sealed override byte[] Generate(FuzzRandom random) => Encoding.UTF8.GetBytes(GenerateText(random));

    public sealed override FuzzOutcome Execute(ReadOnlySpan<byte> input) => Execute(Encoding.UTF8.GetString(input));

    /// <summary>Runs the parser on <paramref name="text"/>, checks what it accepted.</summary>
    public abstract FuzzOutcome Execute(string text);

    protected abstract IEnumerable<string> SeedTexts();

    protected abstract string GenerateText(FuzzRandom random);
}
