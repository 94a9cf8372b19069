namespace Tvm.Infrastructure.Templating.Jinja;

internal enum TokenKind
{
    Data,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    Eof,
}

/// <summary>A position in the template, 1-based, after newlines were normalised to <c>\n</c>.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"({Line},{Column})";
}

/// <param name="Text">The source text of names and operators, the decoded text of data and strings.</param>
/// <param name="Value">The number of integer and float tokens.</param>
internal sealed record Token(TokenKind Kind, string Text, SourcePosition Position, object? Value = null)
{
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;

    public bool IsOperator(string op) => Kind == TokenKind.Operator && Text == op;

    /// <summary>How Jinja2 names a token in its error messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableBegin => "begin of print statement",
        TokenKind.BlockBegin => "begin of statement block",
        TokenKind.Data => "template data",
        TokenKind.String => "string",
        _ => Text,
    };
}

/// <summary>A template Jinja2 would not compile, or one TVM refuses; the position is where the problem starts.</summary>
internal sealed class JinjaSyntaxException(string message, SourcePosition position) : Exception(message)
{
    public SourcePosition Position { get; } = position;
}
