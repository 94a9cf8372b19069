namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Finds the expressions Jinja2's optimizer folds at compile time: literals, operators, filters and tests that read
/// no variable, call nothing and need no render context. Folding changes one thing a template can see: a slice that
/// fails is undefined instead of an error.
/// </summary>
internal static class ConstantFolding
{
    public static HashSet<Expr> ConstantNodes(IReadOnlyList<Statement> body)
    {
        var constants = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        foreach (var statement in body)
        {
            Visit(statement, constants);
        }

        return constants;
    }

    private static void Visit(Statement statement, HashSet<Expr> constants)
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

    /// <summary>Marks <paramref name="expr"/> and its constant sub-expressions; returns whether it is constant itself.</summary>
    private static bool Visit(Expr? expr, HashSet<Expr> constants)
    {
        if (expr is null)
        {
            return true;
        }

        var children = Children(expr).Select(child => Visit(child, constants)).ToList();
        var constant = expr switch
        {
            Name or CallExpr => false,
            ConditionalExpr conditional => conditional.Else is not null,
            FilterExpr filter => filter.Target is not null && filter.FilterName is not ("map" or "select" or "reject" or "selectattr" or "rejectattr"),
            _ => true,
        } && children.All(c => c);
        if (constant)
        {
            constants.Add(expr);
        }

        return constant;
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
