using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Jinja2's default <c>Undefined</c>: renders as nothing, is false, iterates empty and takes <c>default</c>; any
/// other use (attribute, item, arithmetic, comparison) is an error naming what was missing.
/// </summary>
internal sealed class Undefined
{
    private Undefined(string message) => Message = message;

    public string Message { get; }

    public static Undefined Named(string name) => new($"'{name}' is undefined");

    public static Undefined Missing(object? owner, object? key) =>
        new(key is string text
            ? $"'{PyOps.TypeName(owner)} object' has no attribute '{text}'"
            : $"'{PyOps.TypeName(owner)} object' has no element {PyRepr.Repr(key)}");

    public static Undefined Because(string reason) => new(reason);

    public JinjaRuntimeException Fail() => new($"UndefinedError: {Message}");
}

/// <summary>A Python tuple; <see cref="FieldNames"/> gives it named fields, as <c>groupby</c>'s (grouper, list) pairs.</summary>
internal sealed class PyTuple(IReadOnlyList<object?> items, IReadOnlyList<string>? fieldNames = null)
{
    public static readonly PyTuple Empty = new([]);

    public IReadOnlyList<object?> Items { get; } = items;

    public IReadOnlyList<string>? FieldNames { get; } = fieldNames;
}

/// <summary>A Python dict: insertion-ordered, keyed with Python's equality (1, 1.0 and True are one key).</summary>
internal sealed class PyDict
{
    private readonly Dictionary<object, object?> _values = new(PyKeyComparer.Instance);
    private readonly List<object?> _keys = [];

    public int Count => _keys.Count;

    public IReadOnlyList<object?> Keys => _keys;

    public IEnumerable<(object? Key, object? Value)> Items => _keys.Select(k => (k, _values[k ?? PyKeyComparer.NoneKey]));

    public void Set(object? key, object? value)
    {
        PyKeyComparer.CheckHashable(key);
        var slot = key ?? PyKeyComparer.NoneKey;
        if (!_values.ContainsKey(slot))
        {
            _keys.Add(key);
        }

        _values[slot] = value;
    }

    public bool TryGet(object? key, out object? value)
    {
        PyKeyComparer.CheckHashable(key);
        return _values.TryGetValue(key ?? PyKeyComparer.NoneKey, out value);
    }

    public bool ContainsKey(object? key) => TryGet(key, out _);
}

/// <summary>Python's <c>range</c>, bounded so that no template can ask for millions of numbers.</summary>
internal sealed class PyRange
{
    public const int MaxLength = 10_000;

    public PyRange(BigInteger start, BigInteger stop, BigInteger step)
    {
        if (step.IsZero)
        {
            throw new JinjaRuntimeException("ValueError: range() arg 3 must not be zero");
        }

        Start = start;
        Stop = stop;
        Step = step;
        var length = step > 0
            ? (stop > start ? ((stop - start - 1) / step) + 1 : 0)
            : (start > stop ? ((start - stop - 1) / -step) + 1 : 0);
        if (length > MaxLength)
        {
            throw new JinjaRuntimeException($"range() of {length} numbers; policy templates allow at most {MaxLength}");
        }

        Length = (int)length;
    }

    public BigInteger Start { get; }

    public BigInteger Stop { get; }

    public BigInteger Step { get; }

    public int Length { get; }

    public BigInteger this[int index] => Start + (index * Step);

    public IEnumerable<object?> Values()
    {
        for (var i = 0; i < Length; i++)
        {
            yield return this[i];
        }
    }
}

/// <summary>
/// A one-shot iterator (a generator from <c>map</c>, <c>select</c>, …, or <c>reversed()</c>): always true, no length,
/// exhausted after one pass; printing one is refused because Jinja2 prints its memory address.
/// </summary>
internal sealed class PyIterator(string typeName, IEnumerable<object?> source)
{
    private IEnumerator<object?>? _remaining = source.GetEnumerator();

    public string TypeName { get; } = typeName;

    public IEnumerable<object?> Drain()
    {
        while (_remaining is not null && _remaining.MoveNext())
        {
            yield return _remaining.Current;
        }

        _remaining = null;
    }
}

/// <summary><c>dict.items()</c>, <c>keys()</c> and <c>values()</c>: live views printed as <c>dict_items([...])</c>.</summary>
internal sealed class PyView(string kind, PyDict dict)
{
    public string Kind { get; } = kind;

    public PyDict Dict { get; } = dict;

    public IEnumerable<object?> Values() => Kind switch
    {
        "keys" => Dict.Keys,
        "values" => Dict.Items.Select(p => p.Value),
        _ => Dict.Items.Select(p => (object?)new PyTuple([p.Key, p.Value])),
    };
}

/// <summary>A function a template may call: a global, a bound string/dict/list method, or one of <c>loop</c>'s.</summary>
internal sealed class PyCallable(string name, Func<IReadOnlyList<object?>, IReadOnlyDictionary<string, object?>, object?> invoke)
{
    public string Name { get; } = name;

    public object? Invoke(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named) => invoke(positional, named);
}

/// <summary>Jinja2's <c>loop</c> variable inside a <c>for</c>.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    private bool _hasLast;
    private object? _last;

    public IReadOnlyList<object?> Items { get; } = items;

    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index" => (BigInteger)(Index0 + 1),
        "index0" => (BigInteger)Index0,
        "revindex" => (BigInteger)(Items.Count - Index0),
        "revindex0" => (BigInteger)(Items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Items.Count - 1,
        "length" => (BigInteger)Items.Count,
        "depth" => BigInteger.One,
        "depth0" => BigInteger.Zero,
        "previtem" => Index0 > 0 ? Items[Index0 - 1] : Undefined.Because("there is no previous item"),
        "nextitem" => Index0 < Items.Count - 1 ? Items[Index0 + 1] : Undefined.Because("there is no next item"),
        "cycle" => new PyCallable("cycle", (args, _) => args.Count == 0
            ? throw new JinjaRuntimeException("TypeError: no items for cycling given")
            : args[Index0 % args.Count]),
        "changed" => new PyCallable("changed", (args, _) => Changed(args)),
        _ => Undefined.Missing(this, name),
    };

    public override string ToString() => $"<LoopContext {Index0 + 1}/{Items.Count}>";

    private bool Changed(IReadOnlyList<object?> args)
    {
        var value = new PyTuple(args);
        if (_hasLast && PyOps.Equal(value, _last))
        {
            return false;
        }

        _hasLast = true;
        _last = value;
        return true;
    }
}

/// <summary>A render-time error: Jinja2 raised here, or a safety limit was hit.</summary>
internal sealed class JinjaRuntimeException(string message) : Exception(message)
{
    public SourcePosition? Position { get; set; }
}
