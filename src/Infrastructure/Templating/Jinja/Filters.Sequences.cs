using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>The filters over sequences: sorting, grouping, mapping and selecting.</summary>
internal static partial class Filters
{
    private static object? IgnoreCase(object? value) => value is string text ? PyText.Lower(text) : value;

    /// <summary>Jinja2's <c>make_attrgetter</c>: <c>"a.b.0"</c> walks items (then attributes) step by step.</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, bool ignoreCase = false, object? fallback = null)
    {
        var parts = AttributeParts(attribute);
        return item =>
        {
            foreach (var part in parts)
            {
                item = Access.GetItem(item, part);
                if (fallback is not null && item is Undefined)
                {
                    item = fallback;
                }
            }

            return ignoreCase ? IgnoreCase(item) : item;
        };
    }

    private static List<object?> AttributeParts(object? attribute) => attribute switch
    {
        null => [],
        string text => [.. text.Split('.').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit) ? (object?)BigInteger.Parse(part, System.Globalization.CultureInfo.InvariantCulture) : part)],
        _ => [attribute],
    };

    /// <summary><c>make_multi_attrgetter</c>: <c>"age,name"</c> sorts by a list of keys.</summary>
    private static Func<object?, object?> MultiAttributeGetter(object? attribute, bool ignoreCase)
    {
        var paths = (attribute is string text ? text.Split(',').Select(p => (object?)p) : [attribute]).Select(AttributeParts).ToList();
        return item => paths.Select(parts =>
        {
            var value = item;
            foreach (var part in parts)
            {
                value = Access.GetItem(value, part);
            }

            return ignoreCase ? IgnoreCase(value) : value;
        }).ToList();
    }

    private static List<object?> Sorted(IEnumerable<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select(item => (Item: item, Key: key(item))).ToList();
        PyOps.CheckListLength(keyed.Count);
        return [.. PyOps.SortStable(keyed, k => k.Key, reverse).Select(k => k.Item)];
    }

    private static List<object?> Sort(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("sort", ("reverse", false), ("case_sensitive", false), ("attribute", null));
        return Sorted(PyOps.Iterate(value), MultiAttributeGetter(a[2], !PyOps.Truthy(a[1])), PyOps.Truthy(a[0]));
    }

    private static List<object?> DictSort(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("dictsort", ("case_sensitive", false), ("by", "key"), ("reverse", false));
        var position = a[1] switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new JinjaRuntimeException("FilterArgumentError: You can only sort by either \"key\" or \"value\""),
        };
        var dict = value switch
        {
            PyDict d => d,
            Undefined undefined => throw undefined.Fail(),
            _ => throw new JinjaRuntimeException($"AttributeError: '{PyOps.TypeName(value)}' object has no attribute 'items'"),
        };
        var ignoreCase = !PyOps.Truthy(a[0]);
        var pairs = dict.Items.Select(p => (object?)new PyTuple([p.Key, p.Value]));
        return Sorted(pairs, pair =>
        {
            var item = ((PyTuple)pair!).Items[position];
            return ignoreCase ? IgnoreCase(item) : item;
        }, PyOps.Truthy(a[2]));
    }

    private static PyIterator Unique(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("unique", ("case_sensitive", false), ("attribute", null));
        return new PyIterator("generator", UniqueItems(value, a[1], !PyOps.Truthy(a[0])));
    }

    /// <summary>A generator, as in Jinja2: nothing is read or checked until the first item is asked for.</summary>
    private static IEnumerable<object?> UniqueItems(object? items, object? attribute, bool ignoreCase)
    {
        var key = AttributeGetter(attribute, ignoreCase);
        var seen = new HashSet<object>(PyKeyComparer.Instance);
        foreach (var item in PyOps.Iterate(items))
        {
            var k = key(item);
            PyKeyComparer.CheckHashable(k);
            if (seen.Add(k ?? PyKeyComparer.NoneKey))
            {
                yield return item;
            }
        }
    }

    private static object? MinOrMax(object? value, CallArguments arguments, string name)
    {
        var a = arguments.Bind(name, ("case_sensitive", false), ("attribute", null));
        var key = AttributeGetter(a[1], ignoreCase: !PyOps.Truthy(a[0]));
        var found = false;
        object? best = null;
        object? bestKey = null;
        foreach (var item in PyOps.Iterate(value))
        {
            var k = key(item);
            if (!found || (name == "min" ? PyOps.LessThan(k, bestKey) : PyOps.Compare(k, bestKey, ">") > 0))
            {
                (best, bestKey, found) = (item, k, true);
            }
        }

        return found ? best : Undefined.Because("No aggregated item, sequence was empty.");
    }

    private static object? Sum(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("sum", ("attribute", null), ("start", BigInteger.Zero));
        if (a[1] is string)
        {
            throw new JinjaRuntimeException("TypeError: sum() can't sum strings [use ''.join(seq) instead]");
        }

        var items = PyOps.Iterate(value);
        if (a[0] is not null)
        {
            items = items.Select(AttributeGetter(a[0]));
        }

        return items.Aggregate(a[1], (total, item) => PyOps.Binary("+", total, item));
    }

    private static List<object?> GroupBy(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("groupby", ("attribute", CallArguments.Required), ("default", null), ("case_sensitive", false));
        var ignoreCase = !PyOps.Truthy(a[2]);
        var key = AttributeGetter(a[0], ignoreCase, a[1]);
        var output = AttributeGetter(a[0], false, a[1]);
        var groups = new List<object?>();
        object? currentKey = null;
        List<object?>? current = null;
        foreach (var item in Sorted(PyOps.Iterate(value), key, reverse: false))
        {
            var k = key(item);
            if (current is null || !PyOps.Equal(k, currentKey))
            {
                current = [];
                groups.Add(current);
                currentKey = k;
            }

            current.Add(item);
        }

        return groups.Select(g =>
        {
            var members = (List<object?>)g!;
            return (object?)new PyTuple([output(members[0]), members], ["grouper", "list"]);
        }).ToList();
    }

    private static PyIterator Batch(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("batch", ("linecount", CallArguments.Required), ("fill_with", null));
        return new PyIterator("generator", BatchItems(value, a[0], a[1]));
    }

    private static IEnumerable<object?> BatchItems(object? items, object? lineCount, object? fill)
    {
        var batch = new List<object?>();
        foreach (var item in PyOps.Iterate(items))
        {
            if (PyOps.Equal((BigInteger)batch.Count, lineCount))
            {
                yield return batch;
                batch = [];
            }

            batch.Add(item);
        }

        if (batch.Count > 0)
        {
            if (fill is not null && PyOps.Compare((BigInteger)batch.Count, lineCount, "<") < 0)
            {
                var missing = PyOps.Binary("-", lineCount, (BigInteger)batch.Count);
                batch.AddRange((List<object?>)PyOps.Binary("*", new List<object?> { fill }, missing)!);
            }

            yield return batch;
        }
    }

    private static PyIterator Slice(object? value, CallArguments arguments)
    {
        var a = arguments.Bind("slice", ("slices", CallArguments.Required), ("fill_with", null));
        return new PyIterator("generator", SliceItems(value, a[0], a[1]));
    }

    private static IEnumerable<object?> SliceItems(object? value, object? count, object? fill)
    {
        var items = PyOps.ToList(value);
        if (!PyOps.IsInteger(count))
        {
            PyOps.Fail(count, $"'{PyOps.TypeName(count)}' object cannot be interpreted as an integer");
        }

        if (PyOps.ToInteger(count).IsZero)
        {
            throw new JinjaRuntimeException("ZeroDivisionError: integer division or modulo by zero");
        }

        var slices = (int)BigInteger.Clamp(PyOps.ToInteger(count), -PyOps.MaxListLength, PyOps.MaxListLength);
        if (slices <= 0)
        {
            yield break;
        }

        var perSlice = items.Count / slices;
        var withExtra = items.Count % slices;
        var offset = 0;
        for (var number = 0; number < slices; number++)
        {
            var start = offset + (number * perSlice);
            if (number < withExtra)
            {
                offset++;
            }

            var end = offset + ((number + 1) * perSlice);
            var part = new SliceValue((BigInteger)start, (BigInteger)end, null).Indices(items.Count).Select(i => items[i]).ToList();
            if (fill is not null && number >= withExtra)
            {
                part.Add(fill);
            }

            yield return part;
        }
    }

    private static PyIterator Map(object? value, CallArguments arguments) => new("generator", MapItems(value, arguments));

    /// <summary>Jinja2 reads neither the value nor the arguments when the value is false.</summary>
    private static IEnumerable<object?> MapItems(object? value, CallArguments arguments)
    {
        if (!PyOps.Truthy(value))
        {
            yield break;
        }

        Func<object?, object?> transform;
        if (arguments.Positional.Count == 0 && arguments.Named.ContainsKey("attribute"))
        {
            var extra = arguments.Named.Keys.FirstOrDefault(k => k is not ("attribute" or "default"));
            if (extra is not null)
            {
                throw new JinjaRuntimeException($"FilterArgumentError: Unexpected keyword argument '{extra}'");
            }

            transform = AttributeGetter(arguments.Named["attribute"], fallback: arguments.Named.GetValueOrDefault("default"));
        }
        else
        {
            if (arguments.Positional.Count == 0)
            {
                throw new JinjaRuntimeException("FilterArgumentError: map requires a filter argument");
            }

            var name = arguments.Positional[0] as string
                ?? throw new JinjaRuntimeException($"No filter named {PyRepr.Repr(arguments.Positional[0])}.");
            var rest = new CallArguments([.. arguments.Positional.Skip(1)], arguments.Named);
            transform = item => Apply(name, item, rest);
        }

        foreach (var item in PyOps.Iterate(value))
        {
            yield return transform(item);
        }
    }

    private static PyIterator SelectOrReject(object? value, CallArguments arguments, bool byAttribute, bool keep) =>
        new("generator", SelectOrRejectItems(value, arguments, byAttribute, keep));

    private static IEnumerable<object?> SelectOrRejectItems(object? value, CallArguments arguments, bool byAttribute, bool keep)
    {
        if (!PyOps.Truthy(value))
        {
            yield break;
        }

        var positional = arguments.Positional;
        Func<object?, object?> transform = item => item;
        var offset = 0;
        if (byAttribute)
        {
            if (positional.Count == 0)
            {
                throw new JinjaRuntimeException("FilterArgumentError: Missing parameter for attribute name");
            }

            transform = AttributeGetter(positional[0]);
            offset = 1;
        }

        Func<object?, bool> test;
        if (positional.Count > offset)
        {
            var name = positional[offset] as string
                ?? throw new JinjaRuntimeException($"No test named {PyRepr.Repr(positional[offset])}.");
            var rest = new CallArguments([.. positional.Skip(offset + 1)], arguments.Named);
            test = item => Tests.Apply(name, item, rest);
        }
        else
        {
            test = PyOps.Truthy;
        }

        foreach (var item in PyOps.Iterate(value))
        {
            if (test(transform(item)) == keep)
            {
                yield return item;
            }
        }
    }
}
