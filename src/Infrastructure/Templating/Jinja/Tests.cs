using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Jinja2's built-in tests (<c>x is defined</c>, <c>x is divisibleby 3</c>, …), from <c>jinja2/tests.py</c>.</summary>
internal static class Tests
{
    /// <summary>Every test name of <c>jinja2.Environment()</c>, for the <c>test</c> test.</summary>
    public static readonly HashSet<string> JinjaNames =
    [
        "odd", "even", "divisibleby", "defined", "undefined", "filter", "test", "none", "boolean", "false", "true",
        "integer", "float", "lower", "upper", "string", "mapping", "number", "sequence", "iterable", "callable", "sameas",
        "escaped", "in", "==", "eq", "equalto", "!=", "ne", ">", "gt", "greaterthan", ">=", "ge", "<", "lt", "lessthan",
        "<=", "le",
    ];

    private delegate bool Test(object? value, CallArguments arguments);

    private static readonly Dictionary<string, Test> Implemented = new(StringComparer.Ordinal)
    {
        ["odd"] = (v, a) => { a.Bind("odd"); return PyOps.Equal(PyOps.Binary("%", v, (BigInteger)2), BigInteger.One); },
        ["even"] = (v, a) => { a.Bind("even"); return PyOps.Equal(PyOps.Binary("%", v, (BigInteger)2), BigInteger.Zero); },
        ["divisibleby"] = (v, a) => PyOps.Equal(PyOps.Binary("%", v, a.Bind("divisibleby", ("num", CallArguments.Required))[0]), BigInteger.Zero),
        ["defined"] = (v, a) => { a.Bind("defined"); return v is not Undefined; },
        ["undefined"] = (v, a) => { a.Bind("undefined"); return v is Undefined; },
        ["filter"] = (v, a) => { a.Bind("filter"); return v is string name && Filters.JinjaNames.Contains(name); },
        ["test"] = (v, a) => { a.Bind("test"); return v is string name && JinjaNames.Contains(name); },
        ["none"] = (v, a) => { a.Bind("none"); return v is null; },
        ["boolean"] = (v, a) => { a.Bind("boolean"); return v is bool; },
        ["false"] = (v, a) => { a.Bind("false"); return v is false; },
        ["true"] = (v, a) => { a.Bind("true"); return v is true; },
        ["integer"] = (v, a) => { a.Bind("integer"); return v is BigInteger; },
        ["float"] = (v, a) => { a.Bind("float"); return v is double; },
        ["lower"] = (v, a) => { a.Bind("lower"); return IsLower(PyRepr.Str(v)); },
        ["upper"] = (v, a) => { a.Bind("upper"); return IsUpper(PyRepr.Str(v)); },
        ["string"] = (v, a) => { a.Bind("string"); return v is string; },
        ["mapping"] = (v, a) => { a.Bind("mapping"); return v is PyDict; },
        ["number"] = (v, a) => { a.Bind("number"); return PyOps.IsNumber(v); },
        ["sequence"] = (v, a) => { a.Bind("sequence"); return v is string or List<object?> or PyTuple or PyDict or PyRange or Undefined; },
        ["iterable"] = (v, a) => { a.Bind("iterable"); return PyOps.IsIterable(v); },
        ["callable"] = (v, a) => { a.Bind("callable"); return v is PyCallable or LoopContext or Undefined; },
        ["sameas"] = (v, a) => SameAs(v, a.Bind("sameas", ("other", CallArguments.Required))[0]),
        ["in"] = (v, a) => PyOps.Contains(a.Bind("in", ("seq", CallArguments.Required))[0], v),
        ["=="] = Equal,
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["!="] = (v, a) => !Equal(v, a),
        ["ne"] = (v, a) => !Equal(v, a),
        [">"] = (v, a) => Order(v, a, ">", c => c > 0),
        ["gt"] = (v, a) => Order(v, a, ">", c => c > 0),
        ["greaterthan"] = (v, a) => Order(v, a, ">", c => c > 0),
        [">="] = (v, a) => Order(v, a, ">=", c => c >= 0),
        ["ge"] = (v, a) => Order(v, a, ">=", c => c >= 0),
        ["<"] = (v, a) => Order(v, a, "<", c => c < 0),
        ["lt"] = (v, a) => Order(v, a, "<", c => c < 0),
        ["lessthan"] = (v, a) => Order(v, a, "<", c => c < 0),
        ["<="] = (v, a) => Order(v, a, "<=", c => c <= 0),
        ["le"] = (v, a) => Order(v, a, "<=", c => c <= 0),
    };

    public static void Check(string name, Token at)
    {
        if (Implemented.ContainsKey(name))
        {
            return;
        }

        throw new JinjaSyntaxException(name == "escaped"
            ? "the `escaped` test is about HTML markup, which policy templates do not have"
            : $"No test named '{name}'.", at.Position);
    }

    public static bool Apply(string name, object? value, CallArguments arguments) =>
        Implemented.TryGetValue(name, out var test)
            ? test(value, arguments)
            : throw new JinjaRuntimeException($"No test named '{name}'.");

    private static bool Equal(object? value, CallArguments arguments) =>
        PyOps.Equal(value, arguments.Bind("eq", ("b", CallArguments.Required))[0]);

    private static bool Order(object? value, CallArguments arguments, string op, Func<int, bool> holds) =>
        holds(PyOps.Compare(value, arguments.Bind(op, ("b", CallArguments.Required))[0], op));

    private static bool IsLower(string text) => text.Any(char.IsLower) && !text.Any(char.IsUpper);

    private static bool IsUpper(string text) => text.Any(char.IsUpper) && !text.Any(char.IsLower);

    /// <summary>
    /// Python's <c>is</c>. Clear for None, booleans and containers; for numbers and strings it depends on CPython's
    /// object caching, so TVM answers only where CPython's answer is fixed and refuses the rest.
    /// </summary>
    private static bool SameAs(object? value, object? other)
    {
        switch (value, other)
        {
            case (null, _) or (_, null):
                return value is null && other is null;
            case (bool a, bool b):
                return a == b;
            case (bool, _) or (_, bool):
                return false;
            case (BigInteger a, BigInteger b) when a >= -5 && a <= 256:
                return a == b;
            case (BigInteger, BigInteger) or (double, double) or (string, string):
                throw new JinjaRuntimeException("`sameas` on numbers and strings depends on Python's object identity; use `==`");
            default:
                return ReferenceEquals(value, other);
        }
    }
}
