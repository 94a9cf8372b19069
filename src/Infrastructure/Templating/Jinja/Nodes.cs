namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>The Jinja2 syntax tree, close to <c>jinja2.nodes</c>. Every node keeps where it starts for error messages.</summary>
internal abstract record Node(SourcePosition Position);

internal abstract record Expr(SourcePosition Position) : Node(Position);

internal sealed record Const(object? Value, SourcePosition Position) : Expr(Position);

internal sealed record Name(string Identifier, SourcePosition Position) : Expr(Position);

internal sealed record GetAttr(Expr Target, string Attribute, SourcePosition Position) : Expr(Position);

internal sealed record GetItem(Expr Target, Expr Key, SourcePosition Position) : Expr(Position);

internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, SourcePosition Position) : Expr(Position);

internal sealed record ListExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

internal sealed record TupleExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

internal sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Pairs, SourcePosition Position) : Expr(Position);

/// <summary><c>-</c>, <c>+</c> or <c>not</c>.</summary>
internal sealed record UnaryExpr(string Operator, Expr Operand, SourcePosition Position) : Expr(Position);

/// <summary>Arithmetic: <c>+ - * / // % **</c>.</summary>
internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right, SourcePosition Position) : Expr(Position);

/// <summary><c>and</c> or <c>or</c>: returns an operand, as in Python.</summary>
internal sealed record LogicalExpr(string Operator, Expr Left, Expr Right, SourcePosition Position) : Expr(Position);

internal sealed record ConcatExpr(IReadOnlyList<Expr> Parts, SourcePosition Position) : Expr(Position);

/// <summary>A chain such as <c>a &lt; b &lt;= c</c>; operators are <c>== != &lt; &lt;= &gt; &gt;= in notin</c>.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<(string Operator, Expr Operand)> Rest, SourcePosition Position) : Expr(Position);

internal sealed record ConditionalExpr(Expr Test, Expr Then, Expr? Else, SourcePosition Position) : Expr(Position);

internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Named)
{
    public static readonly Arguments None = new([], []);
}

/// <summary><c>value | name(args)</c>; <see cref="Target"/> is null in <c>{% set x | filter %}</c> blocks.</summary>
internal sealed record FilterExpr(Expr? Target, string FilterName, Arguments Arguments, SourcePosition Position) : Expr(Position);

internal sealed record TestExpr(Expr Target, string TestName, Arguments Arguments, SourcePosition Position) : Expr(Position);

internal sealed record CallExpr(Expr Callee, Arguments Arguments, SourcePosition Position) : Expr(Position);

internal abstract record Statement(SourcePosition Position) : Node(Position);

internal sealed record TextStatement(string Text, SourcePosition Position) : Statement(Position);

internal sealed record OutputStatement(IReadOnlyList<Expr> Values, SourcePosition Position) : Statement(Position);

internal sealed record IfStatement(IReadOnlyList<(Expr Test, IReadOnlyList<Statement> Body)> Branches, IReadOnlyList<Statement> Else, SourcePosition Position)
    : Statement(Position);

internal sealed record ForStatement(
    Expr Target,
    Expr Iterable,
    Expr? Filter,
    IReadOnlyList<Statement> Body,
    IReadOnlyList<Statement> Else,
    SourcePosition Position) : Statement(Position);

internal sealed record SetStatement(Expr Target, Expr Value, SourcePosition Position) : Statement(Position);

internal sealed record SetBlockStatement(Expr Target, FilterExpr? Filter, IReadOnlyList<Statement> Body, SourcePosition Position) : Statement(Position);

internal sealed record WithStatement(IReadOnlyList<(Expr Target, Expr Value)> Assignments, IReadOnlyList<Statement> Body, SourcePosition Position)
    : Statement(Position);
