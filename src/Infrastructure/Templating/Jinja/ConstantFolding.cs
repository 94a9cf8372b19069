namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>How Jinja2's optimizer treats an expression it can evaluate at compile time.</summary>
internal enum Folding
{
    /// <summary>Replaced by its value everywhere: the value can be written as a Python literal.</summary>
    Literal,

    /// <summary>Evaluated at compile time only when it is the whole of a <c>{{ … }}</c>.</summary>
    WholeOutput,
}

/// <summary>
/// Finds the expressions Jinja2 evaluates when it compiles the template (<c>as_const</c>): those whose evaluation
/// reads no variable, calls nothing and needs no render context. It matters for one thing a template can see: there,
/// a slice that fails is undefined instead of an error.
/// </summary>
internal static class ConstantFolding
{
    public static Dictionary<Expr, Folding> ConstantNodes(IReadOnlyList<Statement> body)
    {
        var constants = new Dictionary<Expr, Folding>(ReferenceEqualityComparer.Instance);
        foreach (var statement in body)
        {
            Visit(statement, constants);
        }

        return constants;
    }

    private static void Visit(Statement statement, Dictionary<Expr, Folding> constants)
    {
        switch (statement)
        {
            case OutputStatement output:
                output.Values.ToList().ForEach(v => Visit(v, constants));
                break;
            case IfStatement branches:
                foreach (var (test, body) in branches.Branches)
                {
                    Visit(test, constants);
                    body.ToList().ForEach(s => Visit(s, constants));
                }

                branches.Else.ToList().ForEach(s => Visit(s, constants));
                break;
            case ForStatement loop:
                Visit(loop.Iterable, constants);
                Visit(loop.Filter, constants);
                loop.Body.Concat(loop.Else).ToList().ForEach(s => Visit(s, constants));
                break;
            case SetStatement set:
                Visit(set.Value, constants);
                break;
            case SetBlockStatement block:
                block.Body.ToList().ForEach(s => Visit(s, constants));
                break;
            case WithStatement with:
                with.Assignments.ToList().ForEach(a => Visit(a.Value, constants));
                with.Body.ToList().ForEach(s => Visit(s, constants));
                break;
        }
    }

    /// <summary>Bottom-up, as the optimizer goes: children first, then the expression itself.</summary>
    private static void Visit(Expr? expr, Dictionary<Expr, Folding> constants)
    {
        if (expr is null or Const)
        {
            return;
        }

        foreach (var child in Children(expr))
        {
            Visit(child, constants);
        }

        if (Renderer.TryConstant(expr, out var value))
        {
            constants[expr] = Renderer.HasLiteralRepr(value) ? Folding.Literal : Folding.WholeOutput;
        }
    }

    private static IEnumerable<Expr?> Children(Expr expr) => expr switch
    {
        GetAttr a => [a.Target],
        GetItem i => [i.Target, i.Key],
        SliceExpr s => [s.Start, s.Stop, s.Step],
        ListExpr l => l.Items,
        TupleExpr t => t.Items,
        DictExpr d => d.Pairs.SelectMany(p => new[] { p.Key, p.Value }),
        UnaryExpr u => [u.Operand],
        BinaryExpr b => [b.Left, b.Right],
        LogicalExpr l => [l.Left, l.Right],
        ConcatExpr c => c.Parts,
        CompareExpr c => c.Rest.Select(r => r.Operand).Prepend(c.First),
        ConditionalExpr c => [c.Test, c.Then, c.Else],
        FilterExpr f => ArgumentsOf(f.Arguments).Prepend(f.Target),
        TestExpr t => ArgumentsOf(t.Arguments).Prepend(t.Target),
        CallExpr c => ArgumentsOf(c.Arguments).Prepend(c.Callee),
        _ => [],
    };

    private static IEnumerable<Expr?> ArgumentsOf(Arguments arguments) => arguments.Positional.Concat(arguments.Named.Select(n => n.Value));
}
