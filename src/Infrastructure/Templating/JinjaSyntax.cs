using System.Text;
using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Templating;

/// <summary>
/// Rewrites the Jinja2 forms users of Python templating write into the Liquid that Scriban parses:
/// <c>{% elif %}</c>, <c>{% set %}</c>, <c>{# comments #}</c>, <c>loop.*</c>, <c>True/False/None</c> and the
/// call syntax of filters (<c>replace("a", "b")</c> becomes <c>replace: "a", "b"</c>). Only the inside of tags is
/// touched and string literals are left alone; line numbers are kept so parse errors still point at the right line.
/// Left untranslated, <c>{% elif %}</c> would parse without an error and silently take the wrong branch.
/// </summary>
public static partial class JinjaSyntax
{
    public static string ToLiquid(string source)
    {
        var output = new StringBuilder(source.Length + 64);
        var position = 0;
        while (position < source.Length)
        {
            var open = source.IndexOf('{', position);
            if (open < 0 || open + 1 >= source.Length)
            {
                output.Append(source, position, source.Length - position);
                break;
            }

            var kind = source[open + 1];
            if (kind is not ('{' or '%' or '#'))
            {
                output.Append(source, position, open + 1 - position);
                position = open + 1;
                continue;
            }

            var closer = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var close = source.IndexOf(closer, open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                // Unclosed: leave it to the Liquid parser, which reports the position.
                output.Append(source, position, source.Length - position);
                break;
            }

            output.Append(source, position, open - position);
            var inner = source[(open + 2)..close];
            switch (kind)
            {
                case '#':
                    AppendComment(output, inner);
                    break;
                case '{':
                    output.Append("{{").Append(TranslateExpression(inner)).Append("}}");
                    break;
                default:
                    output.Append("{%").Append(TranslateStatement(inner)).Append("%}");
                    break;
            }

            position = close + 2;
        }

        return output.ToString();
    }

    private static void AppendComment(StringBuilder output, string inner)
    {
        var trimBefore = inner.StartsWith('-') ? "-" : "";
        var trimAfter = inner.EndsWith('-') ? "-" : "";
        output.Append("{%").Append(trimBefore).Append(" comment %}");
        output.Append('\n', inner.Count(c => c == '\n'));
        output.Append("{% endcomment ").Append(trimAfter).Append("%}");
    }

    private static string TranslateStatement(string inner)
    {
        var match = StatementKeyword().Match(inner);
        if (!match.Success)
        {
            return TranslateExpression(inner);
        }

        var keyword = match.Groups["keyword"].Value switch
        {
            "elif" => "elsif",
            "set" => "assign",
            var other => other,
        };
        return match.Groups["lead"].Value + keyword + TranslateExpression(inner[match.Length..]);
    }

    /// <summary>Rewrites identifiers and filter calls outside string literals.</summary>
    private static string TranslateExpression(string expression)
    {
        var output = new StringBuilder(expression.Length + 16);
        var i = 0;
        var afterPipe = false;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'')
            {
                var end = EndOfString(expression, i);
                output.Append(expression, i, end - i);
                i = end;
                afterPipe = false;
                continue;
            }

            if (c == '|')
            {
                output.Append(c);
                i++;
                afterPipe = true;
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] == '_'))
                {
                    i++;
                }

                var word = expression[start..i];
                if (afterPipe && TryReadCallArguments(expression, i, out var arguments, out var next))
                {
                    output.Append(word);
                    if (arguments.Trim().Length > 0)
                    {
                        output.Append(": ").Append(TranslateExpression(arguments));
                    }

                    i = next;
                }
                else
                {
                    output.Append(TranslateWord(word, expression, i));
                }

                afterPipe = false;
                continue;
            }

            if (!char.IsWhiteSpace(c))
            {
                afterPipe = false;
            }

            output.Append(c);
            i++;
        }

        return output.ToString();
    }

    private static string TranslateWord(string word, string expression, int next) => word switch
    {
        "loop" when next < expression.Length && expression[next] == '.' => "forloop",
        "True" => "true",
        "False" => "false",
        "None" => "nil",
        _ => word,
    };

    /// <summary>After a filter name: <c>( ... )</c> with nested parentheses and strings, or nothing.</summary>
    private static bool TryReadCallArguments(string expression, int position, out string arguments, out int next)
    {
        arguments = "";
        next = position;
        var i = position;
        while (i < expression.Length && char.IsWhiteSpace(expression[i]))
        {
            i++;
        }

        if (i >= expression.Length || expression[i] != '(')
        {
            return false;
        }

        var depth = 0;
        for (var j = i; j < expression.Length; j++)
        {
            var c = expression[j];
            if (c is '"' or '\'')
            {
                j = EndOfString(expression, j) - 1;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                arguments = expression[(i + 1)..j];
                next = j + 1;
                return true;
            }
        }

        return false;
    }

    private static int EndOfString(string text, int quote)
    {
        var delimiter = text[quote];
        for (var i = quote + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == delimiter)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    [GeneratedRegex(@"^(?<lead>-?\s*)(?<keyword>elif|set)\b")]
    private static partial Regex StatementKeyword();
}
