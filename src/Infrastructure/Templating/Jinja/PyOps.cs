using System.Collections;
using System.Numerics;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Python's semantics for the values a template handles: truth, equality, ordering, arithmetic.</summary>
internal static class PyOps
{
    public const int MaxStringLength = 64 * 1024;
    public const int MaxListLength = 10_000;
    private const int MaxIntegerBits = 4096;

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        BigInteger => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PyRange => "range",
        PyIterator iterator => iterator.TypeName,
        PyView view => $"dict_{view.Kind}",
        PyCallable => "builtin_function_or_method",
        LoopContext => "LoopContext",
        Undefined => "Undefined",
        _ => value.GetType().Name,
    };

    public static bool IsNumber(object? value) => value is bool or BigInteger or double;

    public static bool IsInteger(object? value) => value is bool or BigInteger;

    public static BigInteger ToInteger(object? value) => value switch
    {
        bool flag => flag ? BigInteger.One : BigInteger.Zero,
        BigInteger integer => integer,
        _ => throw new InvalidOperationException("not an integer"),
    };

    public static double ToDouble(object? value) => value switch
    {
        bool flag => flag ? 1 : 0,
        BigInteger integer => (double)integer,
        double number => number,
        _ => throw new InvalidOperationException("not a number"),
    };

    public static object? Fail(object? value, string operation) => value is Undefined undefined
        ? throw undefined.Fail()
        : throw new JinjaRuntimeException($"TypeError: {operation}");

    public static bool Truthy(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        BigInteger integer => !integer.IsZero,
        double number => number != 0,
        string text => text.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple tuple => tuple.Items.Count > 0,
        PyDict dict => dict.Count > 0,
        PyRange range => range.Length > 0,
        PyView view => view.Dict.Count > 0,
        Undefined => false,
        _ => true,
    };

    public static bool Equal(object? left, object? right) => Equal(left, right, 0);

    private static bool Equal(object? left, object? right, int depth)
    {
        if (ReferenceEquals(left, right) && left is not double)
        {
            return true;
        }

        if (depth > 100)
        {
            throw new JinjaRuntimeException("RecursionError: maximum recursion depth exceeded in comparison");
        }

        switch (left, right)
        {
            case (null, _) or (_, null):
                return false;
            case (Undefined, Undefined):
                return true;
            case (double a, double b):
                return a == b;
            case (double a, _) when IsInteger(right):
                return DoubleEqualsInteger(a, ToInteger(right));
            case (_, double b) when IsInteger(left):
                return DoubleEqualsInteger(b, ToInteger(left));
            case (_, _) when IsInteger(left) && IsInteger(right):
                return ToInteger(left) == ToInteger(right);
            case (string a, string b):
                return string.Equals(a, b, StringComparison.Ordinal);
            case (List<object?> a, List<object?> b):
                return SequenceEqual(a, b, depth);
            case (PyTuple a, PyTuple b):
                return SequenceEqual(a.Items, b.Items, depth);
            case (PyDict a, PyDict b):
                return a.Count == b.Count && a.Items.All(p => b.TryGet(p.Key, out var other) && Equal(p.Value, other, depth + 1));
            case (PyRange a, PyRange b):
                return a.Length == b.Length && (a.Length == 0 || (a.Start == b.Start && (a.Length == 1 || a.Step == b.Step)));
            default:
                return false;
        }
    }

    private static bool DoubleEqualsInteger(double number, BigInteger integer) =>
        double.IsFinite(number) && Math.Floor(number) == number && new BigInteger(number) == integer;

    private static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b, int depth)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i], depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's <c>a &lt; b</c>, the only comparison <c>sorted</c>, <c>min</c> and <c>max</c> use.</summary>
    public static bool LessThan(object? left, object? right) => Compare(left, right, "<") < 0;

    /// <summary>Three-way comparison for types Python orders; anything else raises Python's TypeError.</summary>
    public static int Compare(object? left, object? right, string op, int depth = 0)
    {
        if (left is Undefined l)
        {
            throw l.Fail();
        }

        if (right is Undefined r)
        {
            throw r.Fail();
        }

        if (depth > 100)
        {
            throw new JinjaRuntimeException("RecursionError: maximum recursion depth exceeded in comparison");
        }

        if (IsNumber(left) && IsNumber(right))
        {
            if (left is double || right is double)
            {
                var a = ToDouble(left);
                var b = ToDouble(right);
                if (double.IsNaN(a) || double.IsNaN(b))
                {
                    return op is "<" or "<=" ? 1 : -1;
                }

                return CompareMixed(left, right);
            }

            return ToInteger(left).CompareTo(ToInteger(right));
        }

        return (left, right) switch
        {
            (string a, string b) => Math.Sign(string.CompareOrdinal(a, b)),
            (List<object?> a, List<object?> b) => CompareSequences(a, b, op, depth),
            (PyTuple a, PyTuple b) => CompareSequences(a.Items, b.Items, op, depth),
            _ => throw new JinjaRuntimeException(
                $"TypeError: '{op}' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'"),
        };
    }

    private static int CompareMixed(object? left, object? right)
    {
        // Exact, as Python compares an int with a float, even beyond 2**53.
        if (left is double a && right is double b)
        {
            return a.CompareTo(b);
        }

        if (left is double x)
        {
            return -CompareIntegerWithDouble(ToInteger(right), x);
        }

        return CompareIntegerWithDouble(ToInteger(left), (double)right!);
    }

    private static int CompareIntegerWithDouble(BigInteger integer, double number)
    {
        if (double.IsPositiveInfinity(number))
        {
            return -1;
        }

        if (double.IsNegativeInfinity(number))
        {
            return 1;
        }

        var floor = Math.Floor(number);
        var whole = new BigInteger(floor);
        var byWhole = integer.CompareTo(whole);
        return byWhole != 0 ? byWhole : (floor == number ? 0 : -1);
    }

    private static int CompareSequences(IReadOnlyList<object?> a, IReadOnlyList<object?> b, string op, int depth)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (!Equal(a[i], b[i], depth + 1))
            {
                return Compare(a[i], b[i], op, depth + 1);
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    /// <summary>Python's <c>sorted</c>: stable, ordered by <c>&lt;</c>, and a TypeError from comparing surfaces as it is.</summary>
    public static List<T> SortStable<T>(IEnumerable<T> items, Func<T, object?> key, bool reverse)
    {
        var comparer = Comparer<object?>.Create((a, b) => LessThan(a, b) ? -1 : LessThan(b, a) ? 1 : 0);
        try
        {
            return reverse ? [.. items.OrderByDescending(key, comparer)] : [.. items.OrderBy(key, comparer)];
        }
        catch (InvalidOperationException e) when (e.InnerException is JinjaRuntimeException inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    public static bool Contains(object? container, object? item)
    {
        switch (container)
        {
            case string text:
                return item is string needle
                    ? text.Contains(needle, StringComparison.Ordinal)
                    : item is Undefined u
                        ? throw u.Fail()
                        : throw new JinjaRuntimeException($"TypeError: 'in <string>' requires string as left operand, not {TypeName(item)}");
            case PyDict dict:
                return dict.ContainsKey(item);
            case PyView { Kind: "keys" } view:
                return view.Dict.ContainsKey(item);
            case List<object?> or PyTuple or PyRange or PyIterator or PyView or Undefined:
                return Iterate(container).Any(element => Equal(element, item));
            default:
                throw new JinjaRuntimeException($"TypeError: argument of type '{TypeName(container)}' is not iterable");
        }
    }

    public static bool IsIterable(object? value) =>
        value is string or List<object?> or PyTuple or PyDict or PyRange or PyIterator or PyView or Undefined;

    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        string text => Characters(text),
        List<object?> list => list.ToArray(),
        PyTuple tuple => tuple.Items,
        PyDict dict => dict.Keys.ToArray(),
        PyRange range => range.Values(),
        PyIterator iterator => iterator.Drain(),
        PyView view => view.Values().ToArray(),
        Undefined => [],
        _ => throw new JinjaRuntimeException($"TypeError: '{TypeName(value)}' object is not iterable"),
    };

    private static IEnumerable<object?> Characters(string text)
    {
        foreach (var c in text)
        {
            yield return c.ToString();
        }
    }

    /// <summary>Every item, refusing sequences longer than a template can use.</summary>
    public static List<object?> ToList(object? value)
    {
        var items = new List<object?>();
        foreach (var item in Iterate(value))
        {
            items.Add(item);
            CheckListLength(items.Count);
        }

        return items;
    }

    public static int Length(object? value) => value switch
    {
        string text => text.Length,
        List<object?> list => list.Count,
        PyTuple tuple => tuple.Items.Count,
        PyDict dict => dict.Count,
        PyRange range => range.Length,
        PyView view => view.Dict.Count,
        Undefined => 0,
        _ => throw new JinjaRuntimeException($"TypeError: object of type '{TypeName(value)}' has no len()"),
    };

    public static void CheckStringLength(BigInteger length)
    {
        if (length > MaxStringLength)
        {
            throw new JinjaRuntimeException($"a value of {length} characters; policy templates allow at most {MaxStringLength}");
        }
    }

    public static void CheckListLength(BigInteger length)
    {
        if (length > MaxListLength)
        {
            throw new JinjaRuntimeException($"a list of {length} items; policy templates allow at most {MaxListLength}");
        }
    }

    /// <summary>Nesting deeper than this is refused before it can exhaust the stack (Python itself stops at 1000).</summary>
    public static void CheckDepth(int depth)
    {
        if (depth > 500)
        {
            throw new JinjaRuntimeException("RecursionError: values nested more than 500 levels deep");
        }
    }

    private static BigInteger Checked(BigInteger value) =>
        value.GetBitLength() > MaxIntegerBits
            ? throw new JinjaRuntimeException($"an integer of more than {MaxIntegerBits} bits; policy templates allow no larger")
            : value;

    // ---- arithmetic ----

    public static object? Negate(object? value) => value switch
    {
        double number => -number,
        _ when IsInteger(value) => -ToInteger(value),
        _ => Fail(value, $"bad operand type for unary -: '{TypeName(value)}'"),
    };

    public static object? Plus(object? value) => value switch
    {
        double number => number,
        _ when IsInteger(value) => ToInteger(value),
        _ => Fail(value, $"bad operand type for unary +: '{TypeName(value)}'"),
    };

    public static object? Binary(string op, object? left, object? right)
    {
        if (left is Undefined l)
        {
            throw l.Fail();
        }

        if (op == "%" && left is string format)
        {
            // str % Undefined formats the empty string, as Python does through str().
            return PyFormat.Printf(format, right);
        }

        if (right is Undefined r)
        {
            throw r.Fail();
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return left is double || right is double
                ? FloatArithmetic(op, ToDouble(left), ToDouble(right))
                : IntegerArithmetic(op, ToInteger(left), ToInteger(right));
        }

        return (op, left, right) switch
        {
            ("+", string a, string b) => Concat(a, b),
            ("+", List<object?> a, List<object?> b) => ConcatList(a, b),
            ("+", PyTuple a, PyTuple b) => new PyTuple(ConcatList(a.Items, b.Items)),
            ("*", string a, _) when IsInteger(right) => Repeat(a, ToInteger(right)),
            ("*", _, string b) when IsInteger(left) => Repeat(b, ToInteger(left)),
            ("*", List<object?> a, _) when IsInteger(right) => RepeatList(a, ToInteger(right)),
            ("*", _, List<object?> b) when IsInteger(left) => RepeatList(b, ToInteger(left)),
            ("*", PyTuple a, _) when IsInteger(right) => new PyTuple(RepeatList(a.Items, ToInteger(right))),
            ("*", _, PyTuple b) when IsInteger(left) => new PyTuple(RepeatList(b.Items, ToInteger(left))),
            _ => throw new JinjaRuntimeException(BinaryTypeError(op, left, right)),
        };
    }

    private static string BinaryTypeError(string op, object? left, object? right) => (op, left) switch
    {
        ("+", string) => $"TypeError: can only concatenate str (not \"{TypeName(right)}\") to str",
        ("+", List<object?>) => $"TypeError: can only concatenate list (not \"{TypeName(right)}\") to list",
        ("*", string or List<object?> or PyTuple) => $"TypeError: can't multiply sequence by non-int of type '{TypeName(right)}'",
        _ => $"TypeError: unsupported operand type(s) for {op}: '{TypeName(left)}' and '{TypeName(right)}'",
    };

    public static string Concat(string a, string b)
    {
        CheckStringLength((long)a.Length + b.Length);
        return a + b;
    }

    private static List<object?> ConcatList(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        CheckListLength((long)a.Count + b.Count);
        return [.. a, .. b];
    }

    private static string Repeat(string text, BigInteger times)
    {
        if (times <= 0 || text.Length == 0)
        {
            return "";
        }

        CheckStringLength(times * text.Length);
        return string.Concat(Enumerable.Repeat(text, (int)times));
    }

    private static List<object?> RepeatList(IReadOnlyList<object?> items, BigInteger times)
    {
        if (times <= 0 || items.Count == 0)
        {
            return [];
        }

        CheckListLength(times * items.Count);
        var result = new List<object?>();
        for (var i = 0; i < (int)times; i++)
        {
            result.AddRange(items);
        }

        return result;
    }

    private static object IntegerArithmetic(string op, BigInteger a, BigInteger b)
    {
        switch (op)
        {
            case "+": return Checked(a + b);
            case "-": return Checked(a - b);
            case "*": return Checked(a * b);
            case "/":
                return b.IsZero ? throw ZeroDivision("division by zero") : TrueDivide(a, b);
            case "//":
                return b.IsZero ? throw ZeroDivision("integer division or modulo by zero") : FloorDivide(a, b);
            case "%":
                return b.IsZero ? throw ZeroDivision("integer modulo by zero") : a - (b * FloorDivide(a, b));
            default:
                if (b.Sign < 0)
                {
                    return a.IsZero
                        ? throw ZeroDivision("0.0 cannot be raised to a negative power")
                        : Math.Pow((double)a, (double)b);
                }

                if (b > MaxIntegerBits && BigInteger.Abs(a) > 1)
                {
                    throw new JinjaRuntimeException($"an integer of more than {MaxIntegerBits} bits; policy templates allow no larger");
                }

                return Checked(BigInteger.Pow(a, (int)b));
        }
    }

    private static double TrueDivide(BigInteger a, BigInteger b)
    {
        const long exact = 1L << 53;
        if (BigInteger.Abs(a) <= exact && BigInteger.Abs(b) <= exact)
        {
            return (double)a / (double)b;
        }

        return PyFormat.RationalToDouble(a, b);
    }

    private static BigInteger FloorDivide(BigInteger a, BigInteger b)
    {
        var quotient = BigInteger.DivRem(a, b, out var remainder);
        return !remainder.IsZero && (remainder.Sign < 0) != (b.Sign < 0) ? quotient - 1 : quotient;
    }

    private static JinjaRuntimeException ZeroDivision(string message) => new($"ZeroDivisionError: {message}");

    private static double FloatArithmetic(string op, double a, double b)
    {
        switch (op)
        {
            case "+": return a + b;
            case "-": return a - b;
            case "*": return a * b;
            case "/": return b == 0 ? throw ZeroDivision("float division by zero") : a / b;
            case "//": return b == 0 ? throw ZeroDivision("float floor division by zero") : FloatDivMod(a, b).Quotient;
            case "%": return b == 0 ? throw ZeroDivision("float modulo") : FloatDivMod(a, b).Remainder;
            default:
                if (a == 0 && b < 0)
                {
                    throw ZeroDivision("0.0 cannot be raised to a negative power");
                }

                if (a < 0 && Math.Floor(b) != b && double.IsFinite(b))
                {
                    throw new JinjaRuntimeException("a negative number to a fractional power is complex; policy templates have no complex numbers");
                }

                var result = Math.Pow(a, b);
                return double.IsInfinity(result) && double.IsFinite(a) && double.IsFinite(b)
                    ? throw new JinjaRuntimeException("OverflowError: (34, 'Numerical result out of range')")
                    : result;
        }
    }

    /// <summary>CPython's <c>float_divmod</c>: the remainder takes the divisor's sign.</summary>
    private static (double Quotient, double Remainder) FloatDivMod(double vx, double wx)
    {
        var mod = vx % wx;
        var div = (vx - mod) / wx;
        if (mod != 0)
        {
            if ((wx < 0) != (mod < 0))
            {
                mod += wx;
                div -= 1.0;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, wx);
        }

        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5)
            {
                floorDiv += 1.0;
            }
        }
        else
        {
            floorDiv = Math.CopySign(0.0, vx / wx);
        }

        return (floorDiv, mod);
    }
}

/// <summary>Python's hashing rules for dict keys and <c>unique</c>: equal numbers hash alike, lists and dicts are unhashable.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    /// <summary>Stands in for <c>None</c>, since .NET dictionaries take no null keys.</summary>
    public static readonly object NoneKey = new();

    public static void CheckHashable(object? key)
    {
        switch (key)
        {
            case List<object?> or PyDict or PyView:
                throw new JinjaRuntimeException($"TypeError: unhashable type: '{PyOps.TypeName(key)}'");
            case PyTuple tuple:
                foreach (var item in tuple.Items)
                {
                    CheckHashable(item);
                }

                break;
        }
    }

    public new bool Equals(object? x, object? y) =>
        ReferenceEquals(x, y) || (x != NoneKey && y != NoneKey && PyOps.Equal(x, y));

    public int GetHashCode(object obj) => obj switch
    {
        bool flag => (flag ? BigInteger.One : BigInteger.Zero).GetHashCode(),
        BigInteger integer => integer.GetHashCode(),
        double number when double.IsFinite(number) && Math.Floor(number) == number => new BigInteger(number).GetHashCode(),
        double number => number.GetHashCode(),
        string text => StringComparer.Ordinal.GetHashCode(text),
        PyTuple tuple => tuple.Items.Count,
        Undefined => 7,
        IEnumerable => throw new JinjaRuntimeException($"TypeError: unhashable type: '{PyOps.TypeName(obj)}'"),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };
}
