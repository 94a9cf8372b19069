using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Jinja2's <c>tojson</c>: Python's <c>json.dumps(value, sort_keys=True)</c> (ASCII-only output, <c>", "</c> and
/// <c>": "</c> separators) with <c>&lt; &gt; &amp; '</c> escaped as <c>\u003c</c> and so on, byte for byte.
/// </summary>
internal static class Json
{
    public static string Dumps(object? value, object? indent)
    {
        var indentText = indent switch
        {
            null => null,
            string text => text,
            _ when PyOps.IsInteger(indent) => new string(' ', (int)BigInteger.Clamp(PyOps.ToInteger(indent), 0, 64)),
            _ => throw new JinjaRuntimeException($"TypeError: can't multiply sequence by non-int of type '{PyOps.TypeName(indent)}'"),
        };
        var output = new StringBuilder();
        Write(output, value, indentText, 0, []);
        return output
            .Replace("<", "\\u003c")
            .Replace(">", "\\u003e")
            .Replace("&", "\\u0026")
            .Replace("'", "\\u0027")
            .ToString();
    }

    private static void Write(StringBuilder output, object? value, string? indent, int level, HashSet<object> open)
    {
        PyOps.CheckStringLength(output.Length);
        PyOps.CheckDepth(level);
        switch (value)
        {
            case null:
                output.Append("null");
                return;
            case bool flag:
                output.Append(flag ? "true" : "false");
                return;
            case BigInteger integer:
                output.Append(integer.ToString(CultureInfo.InvariantCulture));
                return;
            case double number:
                output.Append(Float(number));
                return;
            case string text:
                WriteString(output, text);
                return;
            case List<object?> or PyTuple:
                var items = value is PyTuple tuple ? tuple.Items : (List<object?>)value;
                Enter(open, value);
                WriteContainer(output, '[', ']', items.Count, indent, level, i => Write(output, items[i], indent, level + 1, open), ", ");
                open.Remove(value);
                return;
            case PyDict dict:
                Enter(open, value);
                var pairs = SortedPairs(dict);
                WriteContainer(output, '{', '}', pairs.Count, indent, level, i =>
                {
                    WriteString(output, pairs[i].Key);
                    output.Append(": ");
                    Write(output, pairs[i].Value, indent, level + 1, open);
                }, ", ");
                open.Remove(value);
                return;
            default:
                throw new JinjaRuntimeException($"TypeError: Object of type {PyOps.TypeName(value)} is not JSON serializable");
        }
    }

    private static void Enter(HashSet<object> open, object container)
    {
        if (!open.Add(container))
        {
            throw new JinjaRuntimeException("ValueError: Circular reference detected");
        }
    }

    private static void WriteContainer(StringBuilder output, char begin, char end, int count, string? indent, int level, Action<int> writeItem, string separator)
    {
        output.Append(begin);
        if (count == 0)
        {
            output.Append(end);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            if (indent is not null)
            {
                output.Append(i == 0 ? "" : ",").Append('\n').Insert(output.Length, indent, level + 1);
            }
            else if (i > 0)
            {
                output.Append(separator);
            }

            writeItem(i);
        }

        if (indent is not null)
        {
            output.Append('\n').Insert(output.Length, indent, level);
        }

        output.Append(end);
    }

    /// <summary>Sorted by the original keys, as Python sorts before converting them to strings.</summary>
    private static List<(string Key, object? Value)> SortedPairs(PyDict dict)
    {
        var pairs = dict.Items.ToList();
        foreach (var (key, _) in pairs)
        {
            if (!(key is null or string || PyOps.IsNumber(key)))
            {
                throw new JinjaRuntimeException($"TypeError: keys must be str, int, float, bool or None, not {PyOps.TypeName(key)}");
            }
        }

        return [.. PyOps.SortStable(pairs, p => p.Key, reverse: false).Select(p => (KeyText(p.Key), p.Value))];
    }

    private static string KeyText(object? key) => key switch
    {
        string text => text,
        null => "null",
        bool flag => flag ? "true" : "false",
        BigInteger integer => integer.ToString(CultureInfo.InvariantCulture),
        double number => Float(number),
        _ => throw new InvalidOperationException("checked before"),
    };

    private static string Float(double number) => number switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ => PyRepr.Float(number),
    };

    private static void WriteString(StringBuilder output, string text)
    {
        output.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case < ' ' or > '~':
                    output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default: output.Append(c); break;
            }
        }

        output.Append('"');
    }
}
