using System.Text;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Python's <c>str</c> methods that templates and filters rely on, with Python's definitions of whitespace.</summary>
internal static class PyText
{
    /// <summary><c>str.isspace()</c> per character, which also counts the ASCII separators 0x1C–0x1F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string RStrip(string text, string? chars = null)
    {
        var end = text.Length;
        while (end > 0 && Strippable(text[end - 1], chars))
        {
            end--;
        }

        return text[..end];
    }

    public static string LStrip(string text, string? chars = null)
    {
        var start = 0;
        while (start < text.Length && Strippable(text[start], chars))
        {
            start++;
        }

        return text[start..];
    }

    public static string Strip(string text, string? chars = null) => LStrip(RStrip(text, chars), chars);

    private static bool Strippable(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c, StringComparison.Ordinal);

    public static string Upper(string text) => text.ToUpperInvariant();

    public static string Lower(string text) => text.ToLowerInvariant();

    public static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + Lower(text[1..]);

    /// <summary><c>str.title()</c>: a cased character after an uncased one is upper-cased, the others lower-cased.</summary>
    public static string Title(string text)
    {
        var output = new StringBuilder(text.Length);
        var previousCased = false;
        foreach (var c in text)
        {
            var cased = char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.TitlecaseLetter;
            output.Append(!cased ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = cased;
        }

        return output.ToString();
    }

    public static string Replace(string text, string old, string replacement, int count = -1)
    {
        if (count == 0)
        {
            return text;
        }

        var output = new StringBuilder();
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            var done = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (count < 0 || done < count)
                {
                    output.Append(replacement);
                    done++;
                }

                if (i < text.Length)
                {
                    output.Append(text[i]);
                }

                PyOps.CheckStringLength(output.Length);
            }

            return output.ToString();
        }

        var position = 0;
        var replaced = 0;
        while (count < 0 || replaced < count)
        {
            var found = text.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            output.Append(text, position, found - position).Append(replacement);
            PyOps.CheckStringLength(output.Length);
            position = found + old.Length;
            replaced++;
        }

        output.Append(text, position, text.Length - position);
        PyOps.CheckStringLength(output.Length);
        return output.ToString();
    }

    /// <summary><c>str.split(sep, maxsplit)</c>: no separator splits on runs of whitespace and drops empty parts.</summary>
    public static List<object?> Split(string text, string? separator, int maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < text.Length && IsSpace(text[i]))
                {
                    i++;
                }

                if (i >= text.Length)
                {
                    break;
                }

                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(RStrip(text[i..]));
                    break;
                }

                var start = i;
                while (i < text.Length && !IsSpace(text[i]))
                {
                    i++;
                }

                parts.Add(text[start..i]);
            }

            return parts;
        }

        if (separator.Length == 0)
        {
            throw new JinjaRuntimeException("ValueError: empty separator");
        }

        var position = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var found = text.IndexOf(separator, position, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            parts.Add(text[position..found]);
            position = found + separator.Length;
        }

        parts.Add(text[position..]);
        return parts;
    }

    /// <summary><c>str.splitlines()</c> with Python's set of line boundaries.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(text[start..i]);
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                start = i;
            }
            else
            {
                i++;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    /// <summary><c>str.center(width)</c>, which puts the odd space on the left only when the width is odd too.</summary>
    public static string Center(string text, int width, char fill = ' ')
    {
        var margin = width - text.Length;
        if (margin <= 0)
        {
            return text;
        }

        PyOps.CheckStringLength(width);
        var left = (margin / 2) + (margin & width & 1);
        return new string(fill, left) + text + new string(fill, margin - left);
    }
}
