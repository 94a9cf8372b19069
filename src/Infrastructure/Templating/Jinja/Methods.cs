using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// The Python methods templates commonly call (<c>x.upper()</c>, <c>d.items()</c>, <c>l.append(x)</c>), bound to
/// their receiver. A method not listed here is an error at render time, never an undefined value.
/// </summary>
internal static class Methods
{
    public static PyCallable? ForString(string text, string name) => name switch
    {
        "upper" => Method(name, args => { args.BindPositional(name); return PyText.Upper(text); }),
        "lower" => Method(name, args => { args.BindPositional(name); return PyText.Lower(text); }),
        "title" => Method(name, args => { args.BindPositional(name); return PyText.Title(text); }),
        "capitalize" => Method(name, args => { args.BindPositional(name); return PyText.Capitalize(text); }),
        "strip" => Method(name, args => PyText.Strip(text, OptionalString(args.BindPositional(name, ("chars", null))[0], name))),
        "lstrip" => Method(name, args => PyText.LStrip(text, OptionalString(args.BindPositional(name, ("chars", null))[0], name))),
        "rstrip" => Method(name, args => PyText.RStrip(text, OptionalString(args.BindPositional(name, ("chars", null))[0], name))),
        "startswith" => Method(name, args => Affix(text, args.BindPositional(name, ("prefix", CallArguments.Required))[0], name, text.StartsWith)),
        "endswith" => Method(name, args => Affix(text, args.BindPositional(name, ("suffix", CallArguments.Required))[0], name, text.EndsWith)),
        "replace" => Method(name, args =>
        {
            var a = args.BindPositional(name, ("old", CallArguments.Required), ("new", CallArguments.Required), ("count", BigInteger.MinusOne));
            return PyText.Replace(text, String(a[0], name), String(a[1], name), IntArgument(a[2], name));
        }),
        "split" => Method(name, args =>
        {
            var a = args.Bind(name, ("sep", null), ("maxsplit", BigInteger.MinusOne));
            return PyText.Split(text, OptionalString(a[0], name), IntArgument(a[1], name));
        }),
        "join" => Method(name, args =>
        {
            var items = PyOps.ToList(args.BindPositional(name, ("iterable", CallArguments.Required))[0]);
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not string)
                {
                    throw new JinjaRuntimeException($"TypeError: sequence item {i}: expected str instance, {PyOps.TypeName(items[i])} found");
                }
            }

            var joined = string.Join(text, items);
            PyOps.CheckStringLength(joined.Length);
            return joined;
        }),
        "count" => Method(name, args => (BigInteger)CountOf(text, String(args.BindPositional(name, ("sub", CallArguments.Required))[0], name))),
        "find" => Method(name, args => (BigInteger)text.IndexOf(String(args.BindPositional(name, ("sub", CallArguments.Required))[0], name), StringComparison.Ordinal)),
        "removeprefix" => Method(name, args =>
        {
            var prefix = String(args.BindPositional(name, ("prefix", CallArguments.Required))[0], name);
            return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
        }),
        "removesuffix" => Method(name, args =>
        {
            var suffix = String(args.BindPositional(name, ("suffix", CallArguments.Required))[0], name);
            return suffix.Length > 0 && text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text;
        }),
        "isdigit" => Method(name, args => { args.BindPositional(name); return text.Length > 0 && text.All(char.IsDigit); }),
        "isalpha" => Method(name, args => { args.BindPositional(name); return text.Length > 0 && text.All(char.IsLetter); }),
        "isalnum" => Method(name, args => { args.BindPositional(name); return text.Length > 0 && text.All(char.IsLetterOrDigit); }),
        "islower" => Method(name, args => { args.BindPositional(name); return text.Any(char.IsLower) && !text.Any(c => char.IsUpper(c)); }),
        "isupper" => Method(name, args => { args.BindPositional(name); return text.Any(char.IsUpper) && !text.Any(c => char.IsLower(c)); }),
        _ => null,
    };

    public static PyCallable? ForDict(PyDict dict, string name) => name switch
    {
        "items" or "keys" or "values" => Method(name, args => { args.BindPositional(name); return new PyView(name, dict); }),
        "get" => Method(name, args =>
        {
            var a = args.BindPositional(name, ("key", CallArguments.Required), ("default", null));
            return dict.TryGet(a[0], out var value) ? value : a[1];
        }),
        _ => null,
    };

    public static PyCallable? ForList(List<object?> list, string name) => name switch
    {
        "append" => Method(name, args =>
        {
            var item = args.BindPositional(name, ("object", CallArguments.Required))[0];
            PyOps.CheckListLength(list.Count + 1L);
            list.Add(item);
            return null;
        }),
        "extend" => Method(name, args =>
        {
            var items = PyOps.ToList(args.BindPositional(name, ("iterable", CallArguments.Required))[0]);
            PyOps.CheckListLength((long)list.Count + items.Count);
            list.AddRange(items);
            return null;
        }),
        "count" => Method(name, args =>
        {
            var item = args.BindPositional(name, ("value", CallArguments.Required))[0];
            return (BigInteger)list.Count(x => PyOps.Equal(x, item));
        }),
        "index" => Method(name, args =>
        {
            var item = args.BindPositional(name, ("value", CallArguments.Required))[0];
            var index = list.FindIndex(x => PyOps.Equal(x, item));
            return index >= 0 ? (BigInteger)index : throw new JinjaRuntimeException($"ValueError: {PyRepr.Repr(item)} is not in list");
        }),
        _ => null,
    };

    private static PyCallable Method(string name, Func<CallArguments, object?> body) =>
        new(name, (positional, named) => body(new CallArguments(positional, named)));

    private static string String(object? value, string method) => value as string
        ?? throw new JinjaRuntimeException($"TypeError: {method}() argument must be str, not {PyOps.TypeName(value)}");

    private static string? OptionalString(object? value, string method) => value is null ? null : String(value, method);

    private static int IntArgument(object? value, string method) => PyOps.IsInteger(value)
        ? (int)BigInteger.Clamp(PyOps.ToInteger(value), int.MinValue, int.MaxValue)
        : throw new JinjaRuntimeException($"TypeError: {method}() argument must be int, not {PyOps.TypeName(value)}");

    private static bool Affix(string text, object? affix, string method, Func<string, StringComparison, bool> test) => affix switch
    {
        string single => test(single, StringComparison.Ordinal),
        PyTuple options => options.Items.Any(o => test(String(o, method), StringComparison.Ordinal)),
        _ => throw new JinjaRuntimeException(
            $"TypeError: {method} first arg must be str or a tuple of str, not {PyOps.TypeName(affix)}"),
    };

    private static int CountOf(string text, string sub)
    {
        if (sub.Length == 0)
        {
            return text.Length + 1;
        }

        var count = 0;
        for (var i = text.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = text.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
