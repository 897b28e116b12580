using System.Text;

namespace Clearinghouse.Domain;

/// <summary>
/// Text quoted back to a sender in an SMTP reply: one line (no CR/LF or other controls), printable ASCII or
/// UTF-8 per RFC 6531, at most <see cref="MaxLength"/> characters so that it fits a reply line with its codes.
/// </summary>
public static class ReplyText
{
    public const int MaxLength = 450;

    /// <summary>Checks a recipient's message before it is stored.</summary>
    public static bool TryValidate(string text, out string problem)
    {
        if (text.Length > MaxLength)
        {
            problem = $"is longer than {MaxLength} characters";
            return false;
        }

        if (!IsWellFormedUtf16(text))
        {
            problem = "is not valid Unicode text";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>Replaces line breaks and other control characters with spaces, trims, and cuts to <see cref="MaxLength"/>.</summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var needsRewrite = false;
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                needsRewrite = true;
                break;
            }
        }

        var clean = text;
        if (needsRewrite)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                builder.Append(char.IsControl(c) ? ' ' : c);
            }

            clean = builder.ToString();
        }

        clean = clean.Trim();
        if (clean.Length > MaxLength)
        {
            var cut = MaxLength;
            if (char.IsHighSurrogate(clean[cut - 1]))
            {
                cut--;
            }

            clean = clean[..cut].TrimEnd();
        }

        return clean;
    }

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
