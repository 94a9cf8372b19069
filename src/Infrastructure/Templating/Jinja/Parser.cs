namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// A port of <c>jinja2.parser.Parser</c> for the statements and expressions TVM evaluates. Everything else Jinja2
/// would accept (macros, includes, unknown filters, …) is refused here, so a template either renders as Jinja2
/// renders it or does not start.
/// </summary>
internal sealed class Parser
{
    private const int MaxDepth = 64;
    private static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    private readonly List<Token> _tokens;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Stack<Token> _openTags = new();
    private int _index;
    private int _depth;

    private Parser(List<Token> tokens) => _tokens = tokens;

    private Token Current => _tokens[_index];

    private Token Peek => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];

    /// <exception cref="JinjaSyntaxException">The template does not parse, or uses something TVM refuses.</exception>
    public static ParsedTemplate Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var body = parser.ParseBody(null);
        return new ParsedTemplate(body, parser._names, ConstantFolding.ConstantNodes(body));
    }

    private Token Next() => _tokens[_index < _tokens.Count - 1 ? _index++ : _index];

    private static JinjaSyntaxException Fail(string message, Token at) => new(message, at.Position);

    private Token Expect(TokenKind kind, string? text = null)
    {
        var token = Current;
        if (token.Kind == kind && (text is null || token.Text == text))
        {
            return Next();
        }

        var wanted = text is not null ? $"'{text}'" : kind switch
        {
            TokenKind.VariableEnd => "end of print statement",
            TokenKind.BlockEnd => "end of statement block",
            TokenKind.Name => "name",
            _ => kind.ToString().ToLowerInvariant(),
        };
        if (token.Kind == TokenKind.Eof)
        {
            throw Fail($"unexpected end of template, expected {wanted}{Unclosed()}", token);
        }

        throw Fail($"expected token {wanted}, got {Quote(token)}{LiquidHints.ForToken(token)}", token);
    }

    private string Unclosed() => _openTags.Count > 0 ? $"; the innermost block that needs to be closed is '{_openTags.Peek().Text}'" : "";

    private static string Quote(Token token) => token.Kind == TokenKind.Eof ? "end of template" : $"'{token.Describe()}'";

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
        {
            return false;
        }

        Next();
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
        {
            return false;
        }

        Next();
        return true;
    }

    private void Enter(Token at)
    {
        if (++_depth > MaxDepth)
        {
            throw Fail($"the template nests more than {MaxDepth} levels deep", at);
        }
    }

    // ---- statements ----

    /// <summary>Jinja2's <c>subparse</c>: stops before a block whose tag is one of <paramref name="endTags"/>.</summary>
    private List<Statement> ParseBody(string[]? endTags)
    {
        var body = new List<Statement>();
        while (Current.Kind != TokenKind.Eof)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    body.Add(new TextStatement(token.Text, token.Position));
                    Next();
                    break;
                case TokenKind.VariableBegin:
                    Next();
                    body.Add(new OutputStatement([ParseTuple(withCondition: true)], token.Position));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    Next();
                    if (endTags is not null && Current.Kind == TokenKind.Name && endTags.Contains(Current.Text))
                    {
                        return body;
                    }

                    body.Add(ParseStatement());
                    Expect(TokenKind.BlockEnd);
                    break;
                default:
                    throw Fail($"unexpected {Quote(token)}", token);
            }
        }

        if (endTags is not null)
        {
            // Reported where the block opens: that is the tag to fix, wherever the template ends.
            var open = _openTags.Peek();
            throw Fail($"`{{% {open.Text} %}}` is never closed: the template ends where Jinja2 expects {string.Join(" or ", endTags.Select(t => $"'{t}'"))}", open);
        }

        return body;
    }

    /// <summary>Jinja2's <c>parse_statements</c>: an optional colon, the end of the opening tag, then the body.</summary>
    private List<Statement> ParseStatements(string[] endTags, bool dropNeedle = false)
    {
        SkipOperator(":");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(endTags);
        if (dropNeedle)
        {
            Next();
        }

        return body;
    }

    private Statement ParseStatement()
    {
        var token = Current;
        if (token.Kind != TokenKind.Name)
        {
            throw Fail($"tag name expected{LiquidHints.ForToken(token)}", token);
        }

        Enter(token);
        _openTags.Push(token);
        try
        {
            return token.Text switch
            {
                "if" => ParseIf(),
                "for" => ParseFor(),
                "set" => ParseSet(),
                "with" => ParseWith(),
                "print" => ParsePrint(),
                _ => throw Fail(Refusals.ForTag(token.Text, _openTags.Skip(1).FirstOrDefault()?.Text), token),
            };
        }
        finally
        {
            _openTags.Pop();
            _depth--;
        }
    }

    private IfStatement ParseIf()
    {
        var start = Next();
        var branches = new List<(Expr, IReadOnlyList<Statement>)>();
        IReadOnlyList<Statement> otherwise = [];
        while (true)
        {
            var test = ParseTuple(withCondition: false);
            var body = ParseStatements(["elif", "else", "endif"]);
            branches.Add((test, body));
            var tag = Next();
            if (tag.Text == "elif")
            {
                continue;
            }

            if (tag.Text == "else")
            {
                otherwise = ParseStatements(["endif"], dropNeedle: true);
            }

            break;
        }

        return new IfStatement(branches, otherwise, start.Position);
    }

    private ForStatement ParseFor()
    {
        var start = Next();
        var target = ParseAssignTarget(["in"]);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondition: false, extraEnd: ["recursive"]);
        Expr? filter = null;
        if (SkipName("if"))
        {
            filter = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw Fail("recursive loops are not supported in policy templates", Current);
        }

        var body = ParseStatements(["endfor", "else"]);
        IReadOnlyList<Statement> otherwise = [];
        if (Next().Text == "else")
        {
            otherwise = ParseStatements(["endfor"], dropNeedle: true);
        }

        return new ForStatement(target, iterable, filter, body, otherwise, start.Position);
    }

    private Statement ParseSet()
    {
        var start = Next();
        if (Current.Kind == TokenKind.Name && Peek.IsOperator("."))
        {
            throw Fail("assigning to an attribute (`{% set ns.attr = … %}`) needs Jinja2's namespace(), which policy templates do not support (`namespace` is the workload's namespace)", Current);
        }

        var target = ParseAssignTarget(null);
        if (SkipOperator("="))
        {
            return new SetStatement(target, ParseTuple(withCondition: true), start.Position);
        }

        var filter = Current.IsOperator("|") ? (FilterExpr)ParseFilters(null) : null;
        var body = ParseStatements(["endset"], dropNeedle: true);
        return new SetBlockStatement(target, filter, body, start.Position);
    }

    private WithStatement ParseWith()
    {
        var start = Next();
        var assignments = new List<(Expr, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            var target = ParseAssignTarget(null);
            Expect(TokenKind.Operator, "=");
            assignments.Add((target, ParseExpression()));
        }

        var body = ParseStatements(["endwith"], dropNeedle: true);
        return new WithStatement(assignments, body, start.Position);
    }

    private OutputStatement ParsePrint()
    {
        var start = Next();
        var values = new List<Expr>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (values.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            values.Add(ParseExpression());
        }

        return new OutputStatement(values, start.Position);
    }

    private Expr ParseAssignTarget(string[]? extraEnd)
    {
        var target = ParseTuple(withCondition: true, simplified: true, extraEnd: extraEnd);
        CheckAssignable(target);
        return target;
    }

    private static void CheckAssignable(Expr target)
    {
        switch (target)
        {
            case Name:
                return;
            case TupleExpr tuple:
                foreach (var item in tuple.Items)
                {
                    CheckAssignable(item);
                }

                return;
            default:
                throw new JinjaSyntaxException($"can't assign to {NodeName(target)}", target.Position);
        }
    }

    private static string NodeName(Expr expr) => expr switch
    {
        Const => "'const'",
        ListExpr => "'list'",
        DictExpr => "'dict'",
        _ => "this expression",
    };

    // ---- expressions ----

    private bool IsTupleEnd(string[]? extraEnd) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.Eof
        || Current.IsOperator(")")
        || (extraEnd is not null && Current.Kind == TokenKind.Name && extraEnd.Contains(Current.Text));

    private Expr ParseTuple(bool withCondition, bool simplified = false, string[]? extraEnd = null, bool explicitParentheses = false)
    {
        var start = Current;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (IsTupleEnd(extraEnd))
            {
                break;
            }

            items.Add(simplified ? ParsePrimary() : withCondition ? ParseExpression() : ParseOr());
            if (Current.IsOperator(","))
            {
                isTuple = true;
            }
            else
            {
                break;
            }
        }

        if (!isTuple)
        {
            if (items.Count > 0)
            {
                return items[0];
            }

            if (!explicitParentheses)
            {
                throw Fail($"Expected an expression, got {Quote(Current)}{LiquidHints.ForToken(Current)}", Current);
            }
        }

        return new TupleExpr(items, start.Position);
    }

    private Expr ParseExpression()
    {
        Enter(Current);
        try
        {
            return ParseConditional();
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseConditional()
    {
        var expr = ParseOr();
        while (Current.IsName("if"))
        {
            var at = Next();
            var test = ParseOr();
            var otherwise = SkipName("else") ? ParseConditional() : null;
            expr = new ConditionalExpr(test, expr, otherwise, at.Position);
        }

        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var at = Next();
            left = new LogicalExpr("or", left, ParseAnd(), at.Position);
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var at = Next();
            left = new LogicalExpr("and", left, ParseNot(), at.Position);
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (Current.IsName("not"))
        {
            var at = Next();
            Enter(at);
            try
            {
                return new UnaryExpr("not", ParseNot(), at.Position);
            }
            finally
            {
                _depth--;
            }
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var start = Current;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.Contains(Current.Text))
            {
                var op = Next().Text;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek.IsName("in"))
            {
                Next();
                Next();
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(first, rest, start.Position);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Next();
            left = new BinaryExpr(op.Text, left, ParseConcat(), op.Position);
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var start = Current;
        var parts = new List<Expr> { ParseMath2() };
        while (SkipOperator("~"))
        {
            parts.Add(ParseMath2());
        }

        return parts.Count == 1 ? parts[0] : new ConcatExpr(parts, start.Position);
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Text, left, ParsePow(), op.Position);
        }

        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            var op = Next();
            left = new BinaryExpr("**", left, ParseUnary(withFilter: true), op.Position);
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        var token = Current;
        Enter(token);
        try
        {
            Expr node;
            if (token.IsOperator("-") || token.IsOperator("+"))
            {
                Next();
                node = new UnaryExpr(token.Text, ParseUnary(withFilter: false), token.Position);
            }
            else
            {
                node = ParsePrimary();
            }

            node = ParsePostfix(node);
            return withFilter ? ParseFilterExpr(node) : node;
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                Next();
                switch (token.Text)
                {
                    case "true" or "True":
                        return new Const(true, token.Position);
                    case "false" or "False":
                        return new Const(false, token.Position);
                    case "none" or "None":
                        return new Const(null, token.Position);
                }

                Refusals.CheckName(token);
                _names.Add(token.Text);
                return new Name(token.Text, token.Position);
            case TokenKind.String:
                var text = new System.Text.StringBuilder();
                while (Current.Kind == TokenKind.String)
                {
                    text.Append(Next().Text);
                }

                return new Const(text.ToString(), token.Position);
            case TokenKind.Integer or TokenKind.Float:
                Next();
                return new Const(token.Value, token.Position);
            case TokenKind.Operator when token.Text == "(":
                Next();
                if (Current.Kind == TokenKind.Integer && Peek.IsOperator(".") && _tokens[Math.Min(_index + 2, _tokens.Count - 1)].IsOperator("."))
                {
                    throw Fail(LiquidHints.Range, token);
                }

                var inner = ParseTuple(withCondition: true, explicitParentheses: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                return ParseList();
            case TokenKind.Operator when token.Text == "{":
                return ParseDict();
            default:
                if (token.Kind == TokenKind.Eof)
                {
                    throw Fail($"unexpected end of template{Unclosed()}", token);
                }

                throw Fail($"unexpected {Quote(token)}{LiquidHints.ForToken(token)}", token);
        }
    }

    private ListExpr ParseList()
    {
        var start = Expect(TokenKind.Operator, "[");
        var items = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (Current.IsOperator("]"))
            {
                break;
            }

            items.Add(ParseExpression());
        }

        Expect(TokenKind.Operator, "]");
        return new ListExpr(items, start.Position);
    }

    private DictExpr ParseDict()
    {
        var start = Expect(TokenKind.Operator, "{");
        var pairs = new List<(Expr, Expr)>();
        while (!Current.IsOperator("}"))
        {
            if (pairs.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            if (Current.IsOperator("}"))
            {
                break;
            }

            var key = ParseExpression();
            Expect(TokenKind.Operator, ":");
            pairs.Add((key, ParseExpression()));
        }

        Expect(TokenKind.Operator, "}");
        return new DictExpr(pairs, start.Position);
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = ParseFilters(node);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = ParseCall(node);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr node)
    {
        var token = Next();
        if (token.IsOperator("."))
        {
            var attribute = Next();
            if (attribute.Kind == TokenKind.Name)
            {
                return new GetAttr(node, attribute.Text, node.Position);
            }

            if (attribute.Kind != TokenKind.Integer)
            {
                throw Fail(attribute.IsOperator(".") ? LiquidHints.Range : "expected name or number", attribute);
            }

            return new GetItem(node, new Const(attribute.Value, attribute.Position), node.Position);
        }

        var keys = new List<Expr>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
            }

            keys.Add(ParseSubscribed());
        }

        Expect(TokenKind.Operator, "]");
        var key = keys.Count == 1 ? keys[0] : new TupleExpr(keys, token.Position);
        return new GetItem(node, key, node.Position);
    }

    private Expr ParseSubscribed()
    {
        var start = Current;
        Expr? first = null;
        if (!SkipOperator(":"))
        {
            first = ParseExpression();
            if (!SkipOperator(":"))
            {
                return first;
            }
        }

        Expr? stop = null;
        if (!Current.IsOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
        {
            stop = ParseExpression();
        }

        Expr? step = null;
        if (SkipOperator(":") && !Current.IsOperator("]") && !Current.IsOperator(","))
        {
            step = ParseExpression();
        }

        return new SliceExpr(first, stop, step, start.Position);
    }

    private CallExpr ParseCall(Expr callee)
    {
        var start = Current;
        var arguments = ParseCallArguments();
        if (callee is Name { Identifier: "loop" })
        {
            throw Fail("recursive loops (`loop(…)`) are not supported in policy templates", start);
        }

        return new CallExpr(callee, arguments, callee.Position);
    }

    private Arguments ParseCallArguments()
    {
        var open = Expect(TokenKind.Operator, "(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                throw Fail("`*args` and `**kwargs` in calls are not supported in policy templates", Current);
            }

            if (Current.Kind == TokenKind.Name && Peek.IsOperator("="))
            {
                var name = Next().Text;
                Next();
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0)
                {
                    throw Fail("invalid syntax for function call expression", open);
                }

                positional.Add(ParseExpression());
            }
        }

        Expect(TokenKind.Operator, ")");
        return new Arguments(positional, named);
    }

    private Expr ParseFilters(Expr? node)
    {
        while (SkipOperator("|"))
        {
            var token = Expect(TokenKind.Name);
            var name = token.Text;
            while (SkipOperator("."))
            {
                name += "." + Expect(TokenKind.Name).Text;
            }

            if (Current.IsOperator(":"))
            {
                throw Fail(LiquidHints.ForFilterArguments(name), Current);
            }

            Filters.Check(name, token);
            var arguments = Current.IsOperator("(") ? ParseCallArguments() : Arguments.None;
            Filters.CheckNameArguments(name, arguments, token);
            node = new FilterExpr(node, name, arguments, token.Position);
        }

        return node!;
    }

    private Expr ParseTest(Expr node)
    {
        var at = Next();
        var negated = SkipName("not");
        var token = Expect(TokenKind.Name);
        var name = token.Text;
        while (SkipOperator("."))
        {
            name += "." + Expect(TokenKind.Name).Text;
        }

        Tests.Check(name, token);
        var arguments = Arguments.None;
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
                  || Current.IsOperator("(") || Current.IsOperator("[") || Current.IsOperator("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is"))
            {
                throw Fail("You cannot chain multiple tests with is", Current);
            }

            arguments = new Arguments([ParsePostfix(ParsePrimary())], []);
        }

        Expr test = new TestExpr(node, name, arguments, token.Position);
        return negated ? new UnaryExpr("not", test, at.Position) : test;
    }
}

/// <summary>The parsed template and every variable name it reads.</summary>
/// <param name="Constants">The expressions Jinja2 would fold at compile time (<see cref="ConstantFolding"/>).</param>
internal sealed record ParsedTemplate(IReadOnlyList<Statement> Body, IReadOnlySet<string> Names, IReadOnlyDictionary<Expr, Folding> Constants);
