using System.Globalization;
using System.Text;

namespace Clearinghouse.Fuzzing;

/// <summary>Inputs as a person reads and reproduces them: a C# string literal of the UTF-8 text and the raw bytes in hex.</summary>
public static class InputText
{
    /// <summary>A C# string literal of <paramref name="text"/>, escaping everything outside printable ASCII.</summary>
    public static string Quote(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\r' => builder.Append("\\r"),
                '\n' => builder.Append("\\n"),
                '\t' => builder.Append("\\t"),
                _ when c is >= ' ' and <= '~' => builder.Append(c),
                _ => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
            };
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The input for a report: its length, its text (as a C# literal, cut to <paramref name="maxChars"/>) and its hex.</summary>
    public static string Describe(ReadOnlySpan<byte> input, int maxChars = 2000)
    {
        var text = Encoding.UTF8.GetString(input);
        var shown = text.Length > maxChars ? Quote(text[..maxChars]) + $" … ({text.Length - maxChars} more characters)" : Quote(text);
        return $"{input.Length} bytes\n  text: {shown}\n  hex:  {Convert.ToHexString(input)}";
    }
}
