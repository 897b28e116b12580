namespace Clearinghouse.Fuzzing;

/// <summary>A parser accepted an input but its result breaks one of the parser's own promises.</summary>
public sealed class InvariantViolation(string message) : Exception(message)
{
    /// <summary>Throws <see cref="InvariantViolation"/> with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>; the message shows both.</summary>
    public static void CheckEqual<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvariantViolation($"{what}: expected {InputText.Quote(expected?.ToString())}, got {InputText.Quote(actual?.ToString())}");
        }
    }
}
