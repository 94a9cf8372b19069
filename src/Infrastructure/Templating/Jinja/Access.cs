using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Jinja2's <c>environment.getattr</c> and <c>getitem</c>: an attribute falls back to an item and the other way
/// round, and what is missing is undefined. Python attributes TVM does not implement are an error rather than
/// undefined, so a template never renders differently from Jinja2.
/// </summary>
internal static class Access
{
    private static readonly HashSet<string> PythonStringAttributes =
    [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map",
        "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric",
        "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
        "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
        "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ];

    private static readonly HashSet<string> PythonListAttributes =
        ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"];

    private static readonly HashSet<string> PythonDictAttributes =
        ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"];

    private static readonly HashSet<string> PythonNumberAttributes =
    [
        "as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag", "numerator",
        "real", "to_bytes", "is_integer", "fromhex", "hex",
    ];

    public static object? GetAttr(object? target, string name)
    {
        if (target is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (TryAttribute(target, name, out var value))
        {
            return value;
        }

        return TryItem(target, name, out var item) ? item : Undefined.Missing(target, name);
    }

    /// <param name="constantSlices">
    /// Jinja2 compiles <c>x[a:b]</c> to a plain Python subscript, which raises for what cannot be sliced; only when it
    /// folds a constant output expression at compile time does a slice go through <c>getitem</c> and turn undefined.
    /// </param>
    public static object? GetItem(object? target, object? key, bool constantSlices = true)
    {
        if (target is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (key is SliceValue slice && !constantSlices)
        {
            return target is string or List<object?> or PyTuple or PyRange && slice.HasIntegerBounds
                ? Slice(target!, slice)
                : throw new JinjaRuntimeException(target is string or List<object?> or PyTuple or PyRange
                    ? "TypeError: slice indices must be integers or None or have an __index__ method"
                    : target is PyDict ? "TypeError: unhashable type: 'slice'" : $"TypeError: '{PyOps.TypeName(target)}' object is not subscriptable");
        }

        if (TryItem(target, key, out var item))
        {
            return item;
        }

        return key is string name && TryAttribute(target, name, out var value) ? value : Undefined.Missing(target, key);
    }

    /// <summary>The <c>attr</c> filter: attributes only, never items.</summary>
    public static object? AttributeOnly(object? target, string name)
    {
        if (target is Undefined undefined)
        {
            throw undefined.Fail();
        }

        return TryAttribute(target, name, out var value) ? value : Undefined.Missing(target, name);
    }

    private static bool TryAttribute(object? target, string name, out object? value)
    {
        value = null;
        if (name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal) && name.Length > 4)
        {
            throw new JinjaRuntimeException($"Python internals such as `{name}` are not available in policy templates");
        }

        switch (target)
        {
            case LoopContext loop:
                value = loop.Attribute(name);
                return true;
            case PyTuple { FieldNames: { } fields } tuple when fields.Contains(name):
                value = tuple.Items[fields.ToList().IndexOf(name)];
                return true;
        }

        value = target switch
        {
            string text => Methods.ForString(text, name),
            PyDict dict => Methods.ForDict(dict, name),
            List<object?> list => Methods.ForList(list, name),
            PyTuple tuple => name == "count" ? Methods.ForList([.. tuple.Items], name) : null,
            PyRange range => name == "count" ? Methods.ForList([.. range.Values()], name) : null,
            _ => null,
        };
        if (value is not null)
        {
            return true;
        }

        var known = target switch
        {
            string => PythonStringAttributes.Contains(name),
            PyDict => PythonDictAttributes.Contains(name),
            List<object?> => PythonListAttributes.Contains(name),
            PyTuple => name is "index",
            bool or BigInteger or double => PythonNumberAttributes.Contains(name),
            PyRange => name is "start" or "stop" or "step" or "index",
            _ => false,
        };
        if (known)
        {
            throw new JinjaRuntimeException(
                $"the Python attribute `{PyOps.TypeName(target)}.{name}` is not supported in policy templates; use a filter instead");
        }

        return false;
    }

    private static bool TryItem(object? target, object? key, out object? value)
    {
        value = null;
        switch (target)
        {
            case PyDict dict:
                try
                {
                    return dict.TryGet(key, out value);
                }
                catch (JinjaRuntimeException)
                {
                    // Unhashable key: Jinja2 catches the TypeError and the value is undefined.
                    return false;
                }

            case string or List<object?> or PyTuple or PyRange when key is SliceValue slice:
                // Jinja2 catches the TypeError of a non-integer bound, and the value is undefined.
                return slice.HasIntegerBounds && Assign(out value, Slice(target, slice));
            case string text when PyOps.IsInteger(key):
                return TryIndex(text.Length, key, out var i) && Assign(out value, text[i].ToString());
            case List<object?> list when PyOps.IsInteger(key):
                return TryIndex(list.Count, key, out var j) && Assign(out value, list[j]);
            case PyTuple tuple when PyOps.IsInteger(key):
                return TryIndex(tuple.Items.Count, key, out var k) && Assign(out value, tuple.Items[k]);
            case PyRange range when PyOps.IsInteger(key):
                return TryIndex(range.Length, key, out var l) && Assign(out value, range[l]);
            default:
                return false;
        }
    }

    private static bool Assign(out object? target, object? value)
    {
        target = value;
        return true;
    }

    private static bool TryIndex(int length, object? key, out int index)
    {
        var position = PyOps.ToInteger(key);
        if (position.Sign < 0)
        {
            position += length;
        }

        index = position >= 0 && position < length ? (int)position : -1;
        return index >= 0;
    }

    private static object Slice(object target, SliceValue slice)
    {
        var length = PyOps.Length(target);
        var indices = slice.Indices(length);
        switch (target)
        {
            case string text:
                return string.Concat(indices.Select(i => text[i]));
            case List<object?> list:
                return indices.Select(i => list[i]).ToList();
            case PyTuple tuple:
                return new PyTuple([.. indices.Select(i => tuple.Items[i])]);
            default:
                var range = (PyRange)target;
                var step = slice.Step is null ? BigInteger.One : PyOps.ToInteger(slice.Step);
                var (start, stop, _) = slice.Bounds(length);
                return new PyRange(range.Start + (start * range.Step), range.Start + (stop * range.Step), range.Step * step);
        }
    }
}

/// <summary>A Python slice object: <c>x[start:stop:step]</c>.</summary>
internal sealed record SliceValue(object? Start, object? Stop, object? Step)
{
    public bool HasIntegerBounds => new[] { Start, Stop, Step }.All(v => v is null || PyOps.IsInteger(v));

    /// <summary>CPython's <c>PySlice_AdjustIndices</c>.</summary>
    public (int Start, int Stop, int Step) Bounds(int length)
    {
        var step = Step is null ? 1 : Integer(Step);
        if (step == 0)
        {
            throw new JinjaRuntimeException("ValueError: slice step cannot be zero");
        }

        int Adjust(object? value, int otherwise)
        {
            if (value is null)
            {
                return otherwise;
            }

            var index = Integer(value);
            if (index < 0)
            {
                index += length;
                if (index < 0)
                {
                    index = step < 0 ? -1 : 0;
                }
            }
            else if (index >= length)
            {
                index = step < 0 ? length - 1 : length;
            }

            return (int)index;
        }

        var start = Adjust(Start, step < 0 ? length - 1 : 0);
        var stop = Adjust(Stop, step < 0 ? -1 : length);
        return (start, stop, (int)Math.Clamp(step, int.MinValue, int.MaxValue));
    }

    public IEnumerable<int> Indices(int length)
    {
        var (start, stop, step) = Bounds(length);
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            yield return i;
        }
    }

    private static long Integer(object? value) => PyOps.IsInteger(value)
        ? (long)BigInteger.Clamp(PyOps.ToInteger(value), long.MinValue / 2, long.MaxValue / 2)
        : throw new JinjaRuntimeException("TypeError: slice indices must be integers or None or have an __index__ method");
}
