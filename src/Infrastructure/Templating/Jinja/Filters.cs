using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Jinja2's built-in filters, ported from <c>jinja2/filters.py</c> with its quirks (generators from <c>map</c> and
/// <c>select</c>, case-insensitive <c>sort</c>, <c>round</c> returning a float). Filters that need HTML markup
/// objects or randomness are refused when the template is parsed.
/// </summary>
internal static partial class Filters
{
    /// <summary>Every filter name of <c>jinja2.Environment()</c>, for the <c>filter</c> test.</summary>
    public static readonly HashSet<string> JinjaNames =
    [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat",
        "first", "float", "forceescape", "format", "groupby", "indent", "int", "join", "last", "length", "list", "lower",
        "items", "map", "min", "max", "pprint", "random", "reject", "rejectattr", "replace", "reverse", "round", "safe",
        "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "trim", "truncate", "unique",
        "upper", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr", "tojson",
    ];

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["e"] = "HTML escaping (`e`) is not supported: policy templates render JSON; use `tojson` for a JSON value",
        ["escape"] = "HTML escaping (`escape`) is not supported: policy templates render JSON; use `tojson` for a JSON value",
        ["forceescape"] = "HTML escaping (`forceescape`) is not supported: policy templates render JSON; use `tojson`",
        ["safe"] = "`safe` marks HTML markup, which policy templates do not have; leave it out",
        ["xmlattr"] = "`xmlattr` builds HTML markup, which policy templates do not have",
        ["urlize"] = "`urlize` builds HTML markup, which policy templates do not have",
        ["striptags"] = "`striptags` works on HTML markup, which policy templates do not have",
        ["random"] = "`random` is not supported: a policy must render the same way every time",
        ["pprint"] = "`pprint` is not supported; print the value or use `tojson`",
        ["wordwrap"] = "`wordwrap` is not supported in policy templates",
    };

    private delegate object? Filter(object? value, CallArguments arguments);

    private static readonly Dictionary<string, Filter> Implemented = new(StringComparer.Ordinal)
    {
        ["abs"] = (v, a) => { a.Bind("abs"); return Abs(v); },
        ["attr"] = (v, a) => Access.AttributeOnly(v, PyRepr.Str(a.Bind("attr", ("name", CallArguments.Required))[0])),
        ["batch"] = Batch,
        ["capitalize"] = (v, a) => { a.Bind("capitalize"); return PyText.Capitalize(PyRepr.Str(v)); },
        ["center"] = (v, a) => PyText.Center(PyRepr.Str(v), Int(a.Bind("center", ("width", (BigInteger)80))[0], "center")),
        ["count"] = (v, a) => { a.Bind("count"); return (BigInteger)PyOps.Length(v); },
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["filesizeformat"] = FileSizeFormat,
        ["first"] = (v, a) => { a.Bind("first"); return First(v); },
        ["float"] = (v, a) => ToFloat(v, a.Bind("float", ("default", 0.0))[0]),
        ["format"] = Format,
        ["groupby"] = GroupBy,
        ["indent"] = Indent,
        ["int"] = (v, a) => { var p = a.Bind("int", ("default", BigInteger.Zero), ("base", (BigInteger)10)); return ToInt(v, p[0], p[1]); },
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = (v, a) =>
        {
            a.Bind("last");
            var items = Reversible(v);
            return items.Count > 0 ? items[^1] : Undefined.Because("No last item, sequence was empty.");
        },
        ["length"] = (v, a) => { a.Bind("length"); return (BigInteger)PyOps.Length(v); },
        ["list"] = (v, a) => { a.Bind("list"); return PyOps.ToList(v); },
        ["lower"] = (v, a) => { a.Bind("lower"); return PyText.Lower(PyRepr.Str(v)); },
        ["map"] = Map,
        ["max"] = (v, a) => MinOrMax(v, a, "max"),
        ["min"] = (v, a) => MinOrMax(v, a, "min"),
        ["reject"] = (v, a) => SelectOrReject(v, a, byAttribute: false, keep: false),
        ["rejectattr"] = (v, a) => SelectOrReject(v, a, byAttribute: true, keep: false),
        ["replace"] = Replace,
        ["reverse"] = (v, a) => { a.Bind("reverse"); return Reverse(v); },
        ["round"] = Round,
        ["select"] = (v, a) => SelectOrReject(v, a, byAttribute: false, keep: true),
        ["selectattr"] = (v, a) => SelectOrReject(v, a, byAttribute: true, keep: true),
        ["slice"] = Slice,
        ["sort"] = Sort,
        ["string"] = (v, a) => { a.Bind("string"); return PyRepr.Str(v); },
        ["sum"] = Sum,
        ["title"] = (v, a) => { a.Bind("title"); return Title(PyRepr.Str(v)); },
        ["tojson"] = (v, a) => Json.Dumps(v, a.Bind("tojson", ("indent", null))[0]),
        ["trim"] = (v, a) => PyText.Strip(PyRepr.Str(v), OptionalString(a.Bind("trim", ("chars", null))[0])),
        ["truncate"] = Truncate,
        ["unique"] = Unique,
        ["upper"] = (v, a) => { a.Bind("upper"); return PyText.Upper(PyRepr.Str(v)); },
        ["urlencode"] = (v, a) => { a.Bind("urlencode"); return UrlEncode(v); },
        ["wordcount"] = (v, a) => { a.Bind("wordcount"); return (BigInteger)Word().Count(PyRepr.Str(v)); },
    };

    /// <summary>Refuses, at parse time, a filter TVM does not implement, naming what to write instead.</summary>
    public static void Check(string name, Token at)
    {
        if (Implemented.ContainsKey(name))
        {
            return;
        }

        var message = Refused.GetValueOrDefault(name) ?? LiquidHints.ForFilter(name) ?? $"No filter named '{name}'.";
        throw new JinjaSyntaxException(message, at.Position);
    }

    /// <summary><c>map('upper')</c>, <c>select('odd')</c>: a constant filter or test name is checked at parse time too.</summary>
    public static void CheckNameArguments(string filter, Arguments arguments, Token at)
    {
        var index = filter switch
        {
            "map" or "select" or "reject" => 0,
            "selectattr" or "rejectattr" => 1,
            _ => -1,
        };
        if (index < 0 || arguments.Positional.Count <= index || arguments.Positional[index] is not Const { Value: string name })
        {
            return;
        }

        if (filter == "map")
        {
            Check(name, at);
        }
        else
        {
            Tests.Check(name, at);
        }
    }

    public static object? Apply(string name, object? value, CallArguments arguments)
    {
        if (!Implemented.TryGetValue(name, out var filter))
        {
            throw new JinjaRuntimeException(Refused.GetValueOrDefault(name) ?? $"No filter named '{name}'.");
        }

        return filter(value, arguments);
    }

    private static string? OptionalString(object? value) => value is null ? null : PyRepr.Str(value);

    private static int Int(object? value, string filter) => PyOps.IsInteger(value)
        ? (int)BigInteger.Clamp(PyOps.ToInteger(value), -PyOps.MaxStringLength * 2L, PyOps.MaxStringLength * 2L)
        : value is Undefined u ? throw u.Fail() : throw new JinjaRuntimeException($"TypeError: {filter}: '{PyOps.TypeName(value)}' object cannot be interpreted as an integer");

    private static object? Abs(object? value) => value switch
    {
        double number => Math.Abs(number),
        _ when PyOps.IsInteger(value) => BigInteger.Abs(PyOps.ToInteger(value)),
        _ => PyOps.Fail(value, $"bad operand type for abs(): '{PyOps.TypeName(value)}'"),
    };

    private static object? Default(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("default", ("default_value", ""), ("boolean", false));
        return value is Undefined || (PyOps.Truthy(a[1]) && !PyOps.Truthy(value)) ? a[0] : value;
    }

    private static object? First(object? value)
    {
        foreach (var item in PyOps.Iterate(value))
        {
            return item;
        }

        return Undefined.Because("No first item, sequence was empty.");
    }

    /// <summary>What Python's <c>reversed()</c> accepts: sequences and dicts, not generators.</summary>
    private static List<object?> Reversible(object? value) => value is string or List<object?> or PyTuple or PyRange or PyDict or PyView or Undefined
        ? PyOps.ToList(value)
        : throw new JinjaRuntimeException($"TypeError: '{PyOps.TypeName(value)}' object is not reversible");

    private static object? Reverse(object? value)
    {
        if (value is string text)
        {
            var characters = text.ToCharArray();
            Array.Reverse(characters);
            return new string(characters);
        }

        if (value is PyIterator)
        {
            var list = PyOps.ToList(value);
            list.Reverse();
            return list;
        }

        if (!PyOps.IsIterable(value))
        {
            throw new JinjaRuntimeException("FilterArgumentError: argument must be iterable");
        }

        var items = Reversible(value);
        items.Reverse();
        return new PyIterator("reversed", items);
    }

    private static string Join(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("join", ("d", ""), ("attribute", null));
        var items = PyOps.Iterate(value);
        if (a[1] is not null)
        {
            var getter = AttributeGetter(a[1]);
            items = items.Select(getter);
        }

        var output = new StringBuilder();
        var separator = PyRepr.Str(a[0]);
        var first = true;
        foreach (var item in items)
        {
            output.Append(first ? "" : separator).Append(PyRepr.Str(item));
            first = false;
            PyOps.CheckStringLength(output.Length);
        }

        return output.ToString();
    }

    private static string Replace(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("replace", ("old", CallArguments.Required), ("new", CallArguments.Required), ("count", null));
        var count = a[2] is null ? -1 : Int(a[2], "replace");
        return PyText.Replace(PyRepr.Str(value), PyRepr.Str(a[0]), PyRepr.Str(a[1]), count);
    }

    private static string Title(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var part in WordBeginning().Split(text))
        {
            if (part.Length > 0)
            {
                output.Append(PyText.Upper(part[..1])).Append(PyText.Lower(part[1..]));
            }
        }

        return output.ToString();
    }

    private static object? Truncate(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("truncate", ("length", (BigInteger)255), ("killwords", false), ("end", "..."), ("leeway", null));
        if (value is Undefined)
        {
            return value;
        }

        var length = Int(a[0], "truncate");
        var end = PyRepr.Str(a[2]);
        var leeway = a[3] is null ? 5 : Int(a[3], "truncate");
        if (length < end.Length)
        {
            throw new JinjaRuntimeException($"AssertionError: expected length >= {end.Length}, got {length}");
        }

        if (leeway < 0)
        {
            throw new JinjaRuntimeException($"AssertionError: expected leeway >= 0, got {leeway}");
        }

        // Jinja2 measures before it slices, so a short list or dict comes back as it is.
        if (PyOps.Length(value) <= length + leeway)
        {
            return value;
        }

        var text = value as string ?? throw new JinjaRuntimeException($"AttributeError: '{PyOps.TypeName(value)}' object has no attribute 'rsplit'");

        var cut = text[..(length - end.Length)];
        if (PyOps.Truthy(a[1]))
        {
            return cut + end;
        }

        var space = cut.LastIndexOf(' ');
        return (space >= 0 ? cut[..space] : cut) + end;
    }

    private static object? Indent(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("indent", ("width", (BigInteger)4), ("first", false), ("blank", false));
        var indention = a[0] is string s ? s : new string(' ', Math.Max(0, Int(a[0], "indent")));
        if (value is not string text)
        {
            return PyOps.Fail(value, $"unsupported operand type(s) for +=: '{PyOps.TypeName(value)}' and 'str'");
        }

        var lines = PyText.SplitLines(text + "\n");
        string result;
        if (PyOps.Truthy(a[2]))
        {
            result = string.Join("\n" + indention, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indention + line : line));
            }
        }

        if (PyOps.Truthy(a[1]))
        {
            result = indention + result;
        }

        PyOps.CheckStringLength(result.Length);
        return result;
    }

    private static string Format(object? value, CallArguments arguments)
    {
        if (arguments.Positional.Count > 0 && arguments.Named.Count > 0)
        {
            throw new JinjaRuntimeException("FilterArgumentError: can't handle positional and keyword arguments at the same time");
        }

        object? values;
        if (arguments.Named.Count > 0)
        {
            var dict = new PyDict();
            foreach (var (key, item) in arguments.Named)
            {
                dict.Set(key, item);
            }

            values = dict;
        }
        else
        {
            values = new PyTuple(arguments.Positional);
        }

        return PyFormat.Printf(PyRepr.Str(value), values);
    }

    private static object? ToInt(object? value, object? fallback, object? radix)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (value is string text)
        {
            if (PyOps.IsInteger(radix) && PyNumbers.TryParseInt(text, (int)BigInteger.Clamp(PyOps.ToInteger(radix), 0, 37), out var parsed))
            {
                return parsed;
            }

            if (PyNumbers.TryParseFloat(text, out var number))
            {
                if (double.IsNaN(number) || double.IsInfinity(number))
                {
                    return fallback;
                }

                return new BigInteger(Math.Truncate(number));
            }

            return fallback;
        }

        return value switch
        {
            double number when double.IsNaN(number) => fallback,
            double number when double.IsInfinity(number) => throw new JinjaRuntimeException("OverflowError: cannot convert float infinity to integer"),
            double number => new BigInteger(Math.Truncate(number)),
            _ when PyOps.IsInteger(value) => PyOps.ToInteger(value),
            _ => fallback,
        };
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        Undefined undefined => throw undefined.Fail(),
        string text => PyNumbers.TryParseFloat(text, out var number) ? number : fallback,
        _ when PyOps.IsNumber(value) => PyOps.ToDouble(value),
        _ => fallback,
    };

    private static object? Round(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("round", ("precision", BigInteger.Zero), ("method", "common"));
        if (a[1] is not ("common" or "ceil" or "floor"))
        {
            throw new JinjaRuntimeException("FilterArgumentError: method must be common, ceil or floor");
        }

        if (!PyOps.IsNumber(value))
        {
            return PyOps.Fail(value, $"type {PyOps.TypeName(value)} doesn't define __round__ method");
        }

        if (a[1] is "common")
        {
            var digits = PyOps.IsInteger(a[0])
                ? (int)BigInteger.Clamp(PyOps.ToInteger(a[0]), -10_000, 10_000)
                : throw new JinjaRuntimeException($"TypeError: '{PyOps.TypeName(a[0])}' object cannot be interpreted as an integer");
            return value is double number ? PyFormat.Round(number, digits) : PyFormat.RoundIntegerHalfEven(PyOps.ToInteger(value), digits);
        }

        var unit = PyOps.Binary("**", (BigInteger)10, a[0]);
        var scaled = PyOps.Binary("*", value, unit);
        var whole = scaled is double d
            ? (double.IsFinite(d)
                ? new BigInteger(a[1] is "ceil" ? Math.Ceiling(d) : Math.Floor(d))
                : throw new JinjaRuntimeException("OverflowError: cannot convert float infinity to integer"))
            : PyOps.ToInteger(scaled);
        return PyOps.Binary("/", whole, unit);
    }

    private static string FileSizeFormat(object? value, CallArguments arguments)
    {
        var binary = PyOps.Truthy(arguments.Bind("filesizeformat", ("binary", false))[0]);
        var bytes = value switch
        {
            string text => PyNumbers.TryParseFloat(text, out var parsed) ? parsed : throw new JinjaRuntimeException($"ValueError: could not convert string to float: {PyRepr.Repr(text)}"),
            Undefined undefined => throw undefined.Fail(),
            _ when PyOps.IsNumber(value) => PyOps.ToDouble(value),
            _ => throw new JinjaRuntimeException($"TypeError: float() argument must be a string or a real number, not '{PyOps.TypeName(value)}'"),
        };
        var unitBase = binary ? 1024.0 : 1000.0;
        string[] prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
        if (bytes == 1)
        {
            return "1 Byte";
        }

        if (bytes < unitBase)
        {
            return $"{new BigInteger(Math.Truncate(bytes))} Bytes";
        }

        var unit = 0.0;
        for (var i = 0; i < prefixes.Length; i++)
        {
            unit = Math.Pow(unitBase, i + 2);
            if (bytes < unit)
            {
                return $"{FormatOneDecimal(unitBase * bytes / unit)} {prefixes[i]}";
            }
        }

        return $"{FormatOneDecimal(unitBase * bytes / unit)} {prefixes[^1]}";
    }

    private static string FormatOneDecimal(double value) =>
        (double.IsNegative(value) ? "-" : "") + PyFormat.Fixed(Math.Abs(value), 1);

    private static string UrlEncode(object? value)
    {
        if (value is string || !PyOps.IsIterable(value))
        {
            return UrlQuote(value, forQuery: false);
        }

        var pairs = value is PyDict dict ? dict.Items.Select(p => (object?)new PyTuple([p.Key, p.Value])) : PyOps.Iterate(value);
        return string.Join("&", pairs.Select(pair =>
        {
            var items = PyOps.ToList(pair);
            return items.Count == 2
                ? $"{UrlQuote(items[0], forQuery: true)}={UrlQuote(items[1], forQuery: true)}"
                : throw new JinjaRuntimeException($"ValueError: too many values to unpack (expected 2)");
        }));
    }

    private static string UrlQuote(object? value, bool forQuery)
    {
        var output = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(PyRepr.Str(value)))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~' || (!forQuery && c == '/'))
            {
                output.Append(c);
            }
            else
            {
                output.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        var quoted = output.ToString();
        return forQuery ? quoted.Replace("%20", "+", StringComparison.Ordinal) : quoted;
    }

    private static PyIterator Items(object? value, CallArguments arguments)
    {
        arguments.Bind("items");
        return value switch
        {
            Undefined => new PyIterator("generator", []),
            PyDict dict => new PyIterator("generator", dict.Items.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList()),
            _ => throw new JinjaRuntimeException("TypeError: Can only get item pairs from a mapping."),
        };
    }

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    [GeneratedRegex(@"\w+")]
    private static partial Regex Word();
}
