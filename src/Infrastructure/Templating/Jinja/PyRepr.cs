using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Python's <c>str()</c> and <c>repr()</c>, which is how Jinja2 prints every value.</summary>
internal static class PyRepr
{
    public static string Str(object? value) => value switch
    {
        string text => text,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var output = new StringBuilder();
        Append(output, value, [], 0);
        return output.ToString();
    }

    private static void Append(StringBuilder output, object? value, HashSet<object> open, int depth)
    {
        PyOps.CheckStringLength(output.Length);
        PyOps.CheckDepth(depth);
        switch (value)
        {
            case null:
                output.Append("None");
                break;
            case bool flag:
                output.Append(flag ? "True" : "False");
                break;
            case BigInteger integer:
                output.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case double number:
                output.Append(Float(number));
                break;
            case string text:
                AppendString(output, text);
                break;
            case Undefined:
                output.Append("Undefined");
                break;
            case List<object?> list:
                if (!open.Add(list))
                {
                    output.Append("[...]");
                    break;
                }

                AppendItems(output, "[", list, "]", open, depth);
                open.Remove(list);
                break;
            case PyTuple tuple:
                AppendItems(output, "(", tuple.Items, tuple.Items.Count == 1 ? ",)" : ")", open, depth);
                break;
            case PyDict dict:
                if (!open.Add(dict))
                {
                    output.Append("{...}");
                    break;
                }

                output.Append('{');
                var first = true;
                foreach (var (key, item) in dict.Items)
                {
                    output.Append(first ? "" : ", ");
                    first = false;
                    Append(output, key, open, depth + 1);
                    output.Append(": ");
                    Append(output, item, open, depth + 1);
                }

                output.Append('}');
                open.Remove(dict);
                break;
            case PyRange range:
                output.Append("range(").Append(range.Start).Append(", ").Append(range.Stop);
                if (!range.Step.IsOne)
                {
                    output.Append(", ").Append(range.Step);
                }

                output.Append(')');
                break;
            case PyView view:
                output.Append("dict_").Append(view.Kind).Append('(');
                AppendItems(output, "[", [.. view.Values()], "]", open, depth);
                output.Append(')');
                break;
            case LoopContext loop:
                output.Append(loop);
                break;
            case SliceValue slice:
                output.Append("slice(");
                Append(output, slice.Start, open, depth + 1);
                output.Append(", ");
                Append(output, slice.Stop, open, depth + 1);
                output.Append(", ");
                Append(output, slice.Step, open, depth + 1);
                output.Append(')');
                break;
            default:
                // Jinja2 prints these with a memory address: never the same twice, never wanted in a policy.
                throw new JinjaRuntimeException(value is PyIterator
                    ? $"cannot print a {PyOps.TypeName(value)} (Jinja2 prints its memory address); add `| list`"
                    : $"cannot print a {PyOps.TypeName(value)} (Jinja2 prints its memory address); call it");
        }
    }

    private static void AppendItems(StringBuilder output, string open, IReadOnlyList<object?> items, string close, HashSet<object> opened, int depth)
    {
        output.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                output.Append(", ");
            }

            Append(output, items[i], opened, depth + 1);
        }

        output.Append(close);
    }

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text has one and no double quote.</summary>
    private static void AppendString(StringBuilder output, string text)
    {
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        output.Append(quote);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == quote || c == '\\')
            {
                output.Append('\\').Append(c);
            }
            else if (c == '\t')
            {
                output.Append("\\t");
            }
            else if (c == '\n')
            {
                output.Append("\\n");
            }
            else if (c == '\r')
            {
                output.Append("\\r");
            }
            else if (c < ' ' || c == '\x7f')
            {
                output.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else if (c < '\x7f')
            {
                output.Append(c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(c, text[i + 1]);
                if (IsPrintable(Rune.GetUnicodeCategory(rune)))
                {
                    output.Append(c).Append(text[i + 1]);
                }
                else
                {
                    output.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
                }

                i++;
            }
            else if (!char.IsSurrogate(c) && IsPrintable(char.GetUnicodeCategory(c)))
            {
                output.Append(c);
            }
            else
            {
                output.Append(c <= '\xff'
                    ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}")
                    : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
            }
        }

        output.Append(quote);
    }

    private static bool IsPrintable(UnicodeCategory category) => category is not (
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.SpaceSeparator);

    /// <summary>Python's <c>repr(float)</c>: the shortest digits that round-trip, in fixed notation from 1e-4 up to 1e16.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var (digits, point) = ShortestDigits(Math.Abs(value));
        var sign = value < 0 ? "-" : "";
        if (point > -4 && point <= 16)
        {
            if (point <= 0)
            {
                return $"{sign}0.{new string('0', -point)}{digits}";
            }

            return point >= digits.Length
                ? $"{sign}{digits}{new string('0', point - digits.Length)}.0"
                : $"{sign}{digits[..point]}.{digits[point..]}";
        }

        var exponent = point - 1;
        var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}");
    }

    /// <summary>The shortest round-tripping digits of a positive finite double and where the decimal point goes (0.DIGITS × 10^point).</summary>
    private static (string Digits, int Point) ShortestDigits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = dot < 0 ? text.Length : dot;
        var all = text.Replace(".", "", StringComparison.Ordinal);
        var leading = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        return (digits, integerDigits - leading + exponent);
    }
}
