using System.Numerics;
using System.Text;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Evaluates a parsed template with Jinja2's semantics. Only the values passed in and the <c>range</c> and
/// <c>dict</c> globals are reachable, and every limit fails the render instead of truncating it.
/// </summary>
internal sealed class Renderer
{
    public const int MaxOutputLength = 64 * 1024;
    public const int MaxLoopIterations = 1000;
    private const int MaxSteps = 1_000_000;

    private static readonly Dictionary<string, object?> Globals = new(StringComparer.Ordinal)
    {
        ["range"] = new PyCallable("range", Range),
        ["dict"] = new PyCallable("dict", MakeDict),
    };

    private readonly Stack<StringBuilder> _outputs = new();
    private bool _constantExpression;
    private int _iterations;
    private int _steps;

    private readonly ParsedTemplate? _template;

    private Renderer(ParsedTemplate? template)
    {
        _template = template;
        _outputs.Push(new StringBuilder());
    }

    /// <exception cref="JinjaRuntimeException">Jinja2 would raise here, or a limit was hit.</exception>
    public static string Render(ParsedTemplate template, IReadOnlyDictionary<string, object?> variables)
    {
        var renderer = new Renderer(template);
        var root = new Scope(new Scope(null, Globals), new Dictionary<string, object?>(variables, StringComparer.Ordinal));
        renderer.Execute(template.Body, new Scope(root));
        return renderer._outputs.Peek().ToString();
    }

    private sealed class Scope(Scope? parent, Dictionary<string, object?>? values = null)
    {
        private readonly Dictionary<string, object?> _values = values ?? new(StringComparer.Ordinal);

        public bool TryGet(string name, out object? value)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope._values.TryGetValue(name, out value))
                {
                    return true;
                }
            }

            value = null;
            return false;
        }

        public Scope? Parent { get; } = parent;

        public void Set(string name, object? value) => _values[name] = value;
    }

    private void Write(string text)
    {
        var output = _outputs.Peek();
        if (output.Length + (long)text.Length > MaxOutputLength)
        {
            throw new JinjaRuntimeException($"the template rendered more than {MaxOutputLength / 1024} KiB");
        }

        output.Append(text);
    }

    private void Step()
    {
        if (++_steps > MaxSteps)
        {
            throw new JinjaRuntimeException("the template does too much work (more than a million steps)");
        }
    }

    private void Execute(IReadOnlyList<Statement> body, Scope scope)
    {
        foreach (var statement in body)
        {
            try
            {
                Execute(statement, scope);
            }
            catch (JinjaRuntimeException e) when (e.Position is null)
            {
                e.Position = statement.Position;
                throw;
            }
        }
    }

    private void Execute(Statement statement, Scope scope)
    {
        Step();
        switch (statement)
        {
            case TextStatement text:
                Write(text.Text);
                break;
            case OutputStatement output:
                foreach (var value in output.Values)
                {
                    Write(PyRepr.Str(Evaluate(value, scope, wholeOutput: true)));
                }

                break;
            case IfStatement branches:
                foreach (var (test, body) in branches.Branches)
                {
                    if (PyOps.Truthy(Evaluate(test, scope)))
                    {
                        Execute(body, scope);
                        return;
                    }
                }

                Execute(branches.Else, scope);
                break;
            case ForStatement loop:
                ExecuteFor(loop, scope);
                break;
            case SetStatement set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                break;
            case SetBlockStatement block:
                _outputs.Push(new StringBuilder());
                string captured;
                try
                {
                    // The body has a scope of its own: a `set` inside it stays inside, as in Jinja2.
                    Execute(block.Body, new Scope(scope));
                }
                finally
                {
                    captured = _outputs.Pop().ToString();
                }

                Assign(block.Target, block.Filter is null ? captured : FilterCaptured(block.Filter, captured, scope), scope);
                break;
            case WithStatement with:
                var inner = new Scope(scope);
                var values = with.Assignments.Select(a => Evaluate(a.Value, scope)).ToList();
                for (var i = 0; i < values.Count; i++)
                {
                    Assign(with.Assignments[i].Target, values[i], inner);
                }

                Execute(with.Body, inner);
                break;
            default:
                throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
        }
    }

    /// <summary>Each iteration gets its own scope: a <c>set</c> inside the loop is gone in the next iteration and after it.</summary>
    private void ExecuteFor(ForStatement loop, Scope scope)
    {
        var items = PyOps.ToList(Evaluate(loop.Iterable, scope));
        if (loop.Filter is not null)
        {
            items = items.Where(item =>
            {
                var filterScope = new Scope(scope);
                Assign(loop.Target, item, filterScope);
                return PyOps.Truthy(Evaluate(loop.Filter, filterScope));
            }).ToList();
        }

        if (items.Count == 0)
        {
            Execute(loop.Else, new Scope(scope));
            return;
        }

        var context = new LoopContext(items);
        for (var i = 0; i < items.Count; i++)
        {
            if (++_iterations > MaxLoopIterations)
            {
                throw new JinjaRuntimeException($"the template ran more than {MaxLoopIterations} loop iterations");
            }

            context.Index0 = i;
            var iteration = new Scope(scope);
            iteration.Set("loop", context);
            Assign(loop.Target, items[i], iteration);
            Execute(loop.Body, iteration);
        }
    }

    private static void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case Name name:
                scope.Set(name.Identifier, value);
                return;
            case TupleExpr tuple:
                var items = PyOps.ToList(value);
                if (items.Count != tuple.Items.Count)
                {
                    throw new JinjaRuntimeException(items.Count > tuple.Items.Count
                        ? $"ValueError: too many values to unpack (expected {tuple.Items.Count})"
                        : $"ValueError: not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})");
                }

                for (var i = 0; i < items.Count; i++)
                {
                    Assign(tuple.Items[i], items[i], scope);
                }

                return;
            default:
                throw new InvalidOperationException("the parser only lets names and tuples of names be assigned");
        }
    }

    private object? Evaluate(Expr expr, Scope scope, bool wholeOutput = false)
    {
        Step();
        try
        {
            if (!_constantExpression && _template?.Constants.TryGetValue(expr, out var folding) == true
                && (folding == Folding.Literal || wholeOutput) && TryConstant(expr, out var folded))
            {
                return folded;
            }

            return EvaluateUnchecked(expr, scope);
        }
        catch (JinjaRuntimeException e) when (e.Position is null)
        {
            e.Position = expr.Position;
            throw;
        }
    }

    private object? EvaluateUnchecked(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case Const constant:
                return constant.Value;
            case Name or CallExpr when _constantExpression:
                throw new NotConstantException();
            case FilterExpr { FilterName: "map" or "select" or "reject" or "selectattr" or "rejectattr" } or FilterExpr { Target: null } when _constantExpression:
                throw new NotConstantException();
            case ConditionalExpr { Else: null } conditional when _constantExpression && !PyOps.Truthy(Evaluate(conditional.Test, scope)):
                throw new NotConstantException();
            case Name name:
                return scope.TryGet(name.Identifier, out var value) ? value : Undefined.Named(name.Identifier);
            case GetAttr attribute:
                return Access.GetAttr(Evaluate(attribute.Target, scope), attribute.Attribute);
            case GetItem item:
                var target = Evaluate(item.Target, scope);
                return Access.GetItem(target, Evaluate(item.Key, scope), _constantExpression);
            case SliceExpr slice:
                return new SliceValue(EvaluateOptional(slice.Start, scope), EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope));
            case ListExpr list:
                return list.Items.Select(i => Evaluate(i, scope)).ToList();
            case TupleExpr tuple:
                return new PyTuple([.. tuple.Items.Select(i => Evaluate(i, scope))]);
            case DictExpr dict:
                var result = new PyDict();
                foreach (var (k, v) in dict.Pairs)
                {
                    var keyValue = Evaluate(k, scope);
                    result.Set(keyValue, Evaluate(v, scope));
                }

                return result;
            case UnaryExpr unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    "not" => !PyOps.Truthy(operand),
                    "-" => PyOps.Negate(operand),
                    _ => PyOps.Plus(operand),
                };
            case BinaryExpr binary:
                var left = Evaluate(binary.Left, scope);
                return PyOps.Binary(binary.Operator, left, Evaluate(binary.Right, scope));
            case LogicalExpr logical:
                var first = Evaluate(logical.Left, scope);
                return (logical.Operator == "and") == PyOps.Truthy(first) ? Evaluate(logical.Right, scope) : first;
            case ConcatExpr concat:
                var text = new StringBuilder();
                foreach (var part in concat.Parts)
                {
                    text.Append(PyRepr.Str(Evaluate(part, scope)));
                    PyOps.CheckStringLength(text.Length);
                }

                return text.ToString();
            case CompareExpr compare:
                return EvaluateCompare(compare, scope);
            case ConditionalExpr conditional:
                if (PyOps.Truthy(Evaluate(conditional.Test, scope)))
                {
                    return Evaluate(conditional.Then, scope);
                }

                return conditional.Else is null
                    ? Undefined.Because($"the inline if-expression on line {conditional.Position.Line} evaluated to false and no else section was defined.")
                    : Evaluate(conditional.Else, scope);
            case FilterExpr filter:
                return ApplyFilter(filter, Evaluate(filter.Target!, scope), scope);
            case TestExpr test:
                var tested = Evaluate(test.Target, scope);
                return Tests.Apply(test.TestName, tested, EvaluateArguments(test.Arguments, scope));
            case CallExpr call:
                var callee = Evaluate(call.Callee, scope);
                var arguments = EvaluateArguments(call.Arguments, scope);
                return callee switch
                {
                    PyCallable function => function.Invoke(arguments.Positional, arguments.Named),
                    Undefined undefined => throw undefined.Fail(),
                    _ => throw new JinjaRuntimeException($"TypeError: '{PyOps.TypeName(callee)}' object is not callable"),
                };
            default:
                throw new InvalidOperationException($"unknown expression {expr.GetType().Name}");
        }
    }

    /// <summary>
    /// Jinja2's <c>as_const</c>: the value of an expression evaluated without any variable, as its optimizer does at
    /// compile time, where a failed slice is undefined instead of an error. False where that is impossible.
    /// </summary>
    public static bool TryConstant(Expr expr, out object? value) => new Renderer(null).TryConstantValue(expr, out value);

    private bool TryConstantValue(Expr expr, out object? value)
    {
        _constantExpression = true;
        try
        {
            value = EvaluateUnchecked(expr, new Scope(null));
            return true;
        }
        catch (Exception e) when (e is JinjaRuntimeException or NotConstantException)
        {
            value = null;
            return false;
        }
        finally
        {
            _constantExpression = false;
        }
    }

    /// <summary>Raised where <c>as_const</c> raises <c>Impossible</c>: a variable, a call, a filter that needs the context.</summary>
    private sealed class NotConstantException : Exception;

    /// <summary>Jinja2's <c>has_safe_repr</c>: whether the optimizer may replace the expression by its value.</summary>
    public static bool HasLiteralRepr(object? value, int depth = 0) => depth < 100 && value switch
    {
        null or bool or BigInteger or double or string or PyRange => true,
        List<object?> list => list.All(v => HasLiteralRepr(v, depth + 1)),
        PyTuple tuple => tuple.Items.All(v => HasLiteralRepr(v, depth + 1)),
        PyDict dict => dict.Items.All(p => HasLiteralRepr(p.Key, depth + 1) && HasLiteralRepr(p.Value, depth + 1)),
        _ => false,
    };

    private object? EvaluateOptional(Expr? expr, Scope scope) => expr is null ? null : Evaluate(expr, scope);

    private object? ApplyFilter(FilterExpr filter, object? value, Scope scope) =>
        Filters.Apply(filter.FilterName, value, EvaluateArguments(filter.Arguments, scope));

    /// <summary><c>{% set x | f | g %}…{% endset %}</c>: the innermost filter of the chain takes the captured text.</summary>
    private object? FilterCaptured(FilterExpr filter, string captured, Scope scope)
    {
        var value = filter.Target is FilterExpr inner ? FilterCaptured(inner, captured, scope) : captured;
        return ApplyFilter(filter, value, scope);
    }

    private CallArguments EvaluateArguments(Arguments arguments, Scope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0)
        {
            return CallArguments.Empty;
        }

        var positional = arguments.Positional.Select(a => Evaluate(a, scope)).ToList();
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments.Named)
        {
            named[name] = Evaluate(value, scope);
        }

        return new CallArguments(positional, named);
    }

    private bool EvaluateCompare(CompareExpr compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Evaluate(operand, scope);
            var holds = op switch
            {
                "==" => PyOps.Equal(left, right),
                "!=" => !PyOps.Equal(left, right),
                "in" => PyOps.Contains(right, left),
                "notin" => !PyOps.Contains(right, left),
                "<" => PyOps.Compare(left, right, op) < 0,
                "<=" => PyOps.Compare(left, right, op) <= 0,
                ">" => PyOps.Compare(left, right, op) > 0,
                _ => PyOps.Compare(left, right, op) >= 0,
            };
            if (!holds)
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    private static PyRange Range(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
    {
        if (named.Count > 0)
        {
            throw new JinjaRuntimeException("TypeError: range() takes no keyword arguments");
        }

        if (positional.Count is 0 or > 3)
        {
            throw new JinjaRuntimeException($"TypeError: range expected at most 3 arguments, got {positional.Count}");
        }

        var numbers = positional.Select(p => PyOps.IsInteger(p)
            ? PyOps.ToInteger(p)
            : p is Undefined u ? throw u.Fail() : throw new JinjaRuntimeException($"TypeError: '{PyOps.TypeName(p)}' object cannot be interpreted as an integer")).ToList();
        return numbers.Count switch
        {
            1 => new PyRange(BigInteger.Zero, numbers[0], BigInteger.One),
            2 => new PyRange(numbers[0], numbers[1], BigInteger.One),
            _ => new PyRange(numbers[0], numbers[1], numbers[2]),
        };
    }

    private static PyDict MakeDict(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
    {
        if (positional.Count > 1)
        {
            throw new JinjaRuntimeException($"TypeError: dict expected at most 1 argument, got {positional.Count}");
        }

        var dict = new PyDict();
        if (positional.Count == 1)
        {
            var pairs = positional[0] is PyDict source ? source.Items.Select(p => (object?)new PyTuple([p.Key, p.Value])) : PyOps.Iterate(positional[0]);
            foreach (var pair in pairs)
            {
                var items = PyOps.ToList(pair);
                if (items.Count != 2)
                {
                    throw new JinjaRuntimeException($"ValueError: dictionary update sequence element has length {items.Count}; 2 is required");
                }

                dict.Set(items[0], items[1]);
            }
        }

        foreach (var (key, value) in named)
        {
            dict.Set(key, value);
        }

        return dict;
    }
}
