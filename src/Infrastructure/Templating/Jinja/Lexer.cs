using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Jinja2's lexer under the default delimiters: data, <c>{{ }}</c>, <c>{% %}</c>, <c>{# #}</c>, <c>{% raw %}</c>,
/// and whitespace control with <c>-</c> (and the no-op <c>+</c>). Newlines are normalised to <c>\n</c> and one
/// trailing newline is dropped first, as <c>keep_trailing_newline=False</c> does.
/// </summary>
internal sealed partial class Lexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "|", ".", ",", ":", ";", "=", "<", ">"];

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private readonly int[] _lineStarts;
    private int _position;

    private Lexer(string source)
    {
        _source = source;
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(Normalize(source));
        lexer.Run();
        return lexer._tokens;
    }

    /// <summary>Python's <c>newline_re.split</c>: <c>\r\n</c>, <c>\r</c> and <c>\n</c> all become <c>\n</c>, and a single trailing one goes.</summary>
    public static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private SourcePosition PositionOf(int offset)
    {
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new SourcePosition(line + 1, offset - _lineStarts[line] + 1);
    }

    private JinjaSyntaxException Error(string message, int offset) => new(message, PositionOf(offset));

    private void Run()
    {
        while (_position < _source.Length)
        {
            var start = NextTagStart(_position);
            if (start < 0)
            {
                AddData(_source[_position..], _position);
                break;
            }

            var sign = start + 2 < _source.Length && _source[start + 2] is '-' or '+' ? _source[start + 2] : '\0';
            var text = _source[_position..start];
            if (sign == '-')
            {
                text = PyText.RStrip(text);
            }

            AddData(text, _position);
            var raw = RawBegin().Match(_source, start);
            if (raw.Success)
            {
                LexRaw(start, raw);
                continue;
            }

            var afterSign = start + 2 + (sign == '\0' ? 0 : 1);
            switch (_source[start + 1])
            {
                case '#':
                    LexComment(start, afterSign);
                    break;
                case '%':
                    _tokens.Add(new Token(TokenKind.BlockBegin, "{%", PositionOf(start)));
                    LexTag(afterSign, "%}", TokenKind.BlockEnd);
                    break;
                default:
                    _tokens.Add(new Token(TokenKind.VariableBegin, "{{", PositionOf(start)));
                    LexTag(afterSign, "}}", TokenKind.VariableEnd);
                    break;
            }
        }

        _tokens.Add(new Token(TokenKind.Eof, "", PositionOf(_source.Length)));
    }

    private int NextTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private void AddData(string text, int offset)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new Token(TokenKind.Data, text, PositionOf(offset)));
        }
    }

    private void LexRaw(int start, Match begin)
    {
        var end = RawEnd().Match(_source, begin.Index + begin.Length);
        if (!end.Success)
        {
            throw Error("Missing end of raw directive", start);
        }

        var text = _source[(begin.Index + begin.Length)..end.Index];
        if (end.Groups["sign"].Value == "-")
        {
            text = PyText.RStrip(text);
        }

        AddData(text, begin.Index + begin.Length);
        _position = end.Index + end.Length;
    }

    private void LexComment(int start, int bodyStart)
    {
        var close = _source.IndexOf("#}", bodyStart, StringComparison.Ordinal);
        if (close < 0)
        {
            throw Error("Missing end of comment tag", start);
        }

        _position = close + 2;
        if (close - 1 >= bodyStart && _source[close - 1] == '-')
        {
            SkipWhitespace();
        }
    }

    private void SkipWhitespace()
    {
        while (_position < _source.Length && PyText.IsSpace(_source[_position]))
        {
            _position++;
        }
    }

    /// <summary>Inside <c>{{ }}</c> or <c>{% %}</c>: the closing delimiter counts only where brackets balance, as in Jinja2.</summary>
    private void LexTag(int from, string closer, TokenKind endKind)
    {
        _position = from;
        var open = new Stack<char>();
        while (_position < _source.Length)
        {
            if (open.Count == 0 && TryLexTagEnd(closer, endKind))
            {
                return;
            }

            var c = _source[_position];
            if (PyText.IsSpace(c))
            {
                SkipWhitespace();
                continue;
            }

            if (LexNumber() || LexName() || LexString())
            {
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(_source, _position, o, 0, o.Length) == 0)
                ?? throw Error($"unexpected char {PyRepr.Repr(c.ToString())} at {_position}", _position);
            Balance(open, op);
            _tokens.Add(new Token(TokenKind.Operator, op, PositionOf(_position)));
            _position += op.Length;
        }

        // Unclosed: the parser reports the missing end where the template ends.
    }

    private bool TryLexTagEnd(string closer, TokenKind endKind)
    {
        var at = _position;
        if (_source[at] is '-' or '+' && string.CompareOrdinal(_source, at + 1, closer, 0, 2) == 0)
        {
            // `+%}` exists only for blocks; `+}}` is an operator followed by the end.
            if (_source[at] == '+' && endKind == TokenKind.VariableEnd)
            {
                return false;
            }

            _tokens.Add(new Token(endKind, closer, PositionOf(at)));
            _position = at + 3;
            if (_source[at] == '-')
            {
                SkipWhitespace();
            }

            return true;
        }

        if (string.CompareOrdinal(_source, at, closer, 0, 2) != 0)
        {
            return false;
        }

        _tokens.Add(new Token(endKind, closer, PositionOf(at)));
        _position = at + 2;
        return true;
    }

    private void Balance(Stack<char> open, string op)
    {
        switch (op)
        {
            case "(":
                open.Push(')');
                break;
            case "[":
                open.Push(']');
                break;
            case "{":
                open.Push('}');
                break;
            case ")" or "]" or "}":
                if (open.Count == 0)
                {
                    throw Error($"unexpected '{op}'", _position);
                }

                var expected = open.Pop();
                if (expected != op[0])
                {
                    throw Error($"unexpected '{op}', expected '{expected}'", _position);
                }

                break;
        }
    }

    private bool LexNumber()
    {
        var floating = FloatLiteral().Match(_source, _position);
        if (floating.Success)
        {
            var text = floating.Value.Replace("_", "", StringComparison.Ordinal);
            var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            _tokens.Add(new Token(TokenKind.Float, floating.Value, PositionOf(_position), value));
            _position += floating.Length;
            return true;
        }

        var integer = IntegerLiteral().Match(_source, _position);
        if (!integer.Success)
        {
            return false;
        }

        _tokens.Add(new Token(TokenKind.Integer, integer.Value, PositionOf(_position), ParseInteger(integer.Value)));
        _position += integer.Length;
        return true;
    }

    private static BigInteger ParseInteger(string literal)
    {
        var digits = literal.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var (radix, body) = digits.Length > 1 && digits[0] == '0'
            ? digits[1] switch { 'b' => (2, digits[2..]), 'o' => (8, digits[2..]), 'x' => (16, digits[2..]), _ => (10, digits) }
            : (10, digits);
        var value = BigInteger.Zero;
        foreach (var c in body)
        {
            value = (value * radix) + (c <= '9' ? c - '0' : c - 'a' + 10);
        }

        return value;
    }

    private bool LexName()
    {
        var c = _source[_position];
        if (!(c == '_' || char.IsLetter(c)))
        {
            return false;
        }

        var end = _position + 1;
        while (end < _source.Length && IsNamePart(_source[end]))
        {
            end++;
        }

        _tokens.Add(new Token(TokenKind.Name, _source[_position..end], PositionOf(_position)));
        _position = end;
        return true;
    }

    private static bool IsNamePart(char c) => c == '_' || char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private bool LexString()
    {
        var quote = _source[_position];
        if (quote is not ('"' or '\''))
        {
            return false;
        }

        for (var i = _position + 1; i < _source.Length; i++)
        {
            if (_source[i] == '\\')
            {
                i++;
            }
            else if (_source[i] == quote)
            {
                var value = Unescape(_source[(_position + 1)..i], _position);
                _tokens.Add(new Token(TokenKind.String, value, PositionOf(_position)));
                _position = i + 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>Python's <c>unicode-escape</c> decoding, which is what Jinja2 applies to string literals.</summary>
    private string Unescape(string body, int offset)
    {
        if (!body.Contains('\\', StringComparison.Ordinal))
        {
            return body;
        }

        var output = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                output.Append(c);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case '\n': break;
                case '\\': output.Append('\\'); break;
                case '\'': output.Append('\''); break;
                case '"': output.Append('"'); break;
                case 'a': output.Append('\a'); break;
                case 'b': output.Append('\b'); break;
                case 'f': output.Append('\f'); break;
                case 'n': output.Append('\n'); break;
                case 'r': output.Append('\r'); break;
                case 't': output.Append('\t'); break;
                case 'v': output.Append('\v'); break;
                case 'x': i = AppendCodePoint(output, body, i, 2, offset); break;
                case 'u': i = AppendCodePoint(output, body, i, 4, offset); break;
                case 'U': i = AppendCodePoint(output, body, i, 8, offset); break;
                case 'N': throw Error("\\N{...} escapes are not supported in policy templates; write the character itself", offset);
                case >= '0' and <= '7':
                    var end = i;
                    while (end < body.Length && end - i < 3 && body[end] is >= '0' and <= '7')
                    {
                        end++;
                    }

                    output.Append((char)Convert.ToInt32(body[i..end], 8));
                    i = end - 1;
                    break;
                case > '\x7f':
                    // Jinja2 escapes non-ASCII characters before decoding, so a backslash in front of one survives.
                    output.Append('\\').Append(next <= '\xff' ? $"x{(int)next:x2}" : $"u{(int)next:x4}");
                    break;
                default: output.Append('\\').Append(next); break;
            }
        }

        return output.ToString();
    }

    private int AppendCodePoint(StringBuilder output, string body, int at, int digits, int offset)
    {
        var hex = body.Length - at - 1 >= digits ? body.Substring(at + 1, digits) : "";
        if (hex.Length != digits || !hex.All(char.IsAsciiHexDigit))
        {
            throw Error($"(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\{body[at]}{new string('X', digits)} escape", offset);
        }

        var value = int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (value > 0x10FFFF)
        {
            throw Error("(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character", offset);
        }

        output.Append(value <= 0xFFFF ? ((char)value).ToString() : char.ConvertFromUtf32(value));
        return at + digits;
    }

    [GeneratedRegex(@"\G\{%[-+]?\s*raw\s*(?:-%\}\s*|%\})")]
    private static partial Regex RawBegin();

    [GeneratedRegex(@"\{%(?<sign>[-+]?)\s*endraw\s*(?:\+%\}|-%\}\s*|%\})")]
    private static partial Regex RawEnd();

    [GeneratedRegex(@"\G(?<!\.)([0-9]+_)*[0-9]+((\.([0-9]+_)*[0-9]+)?e[+\-]?([0-9]+_)*[0-9]+|\.([0-9]+_)*[0-9]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FloatLiteral();

    [GeneratedRegex(@"\G(0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[0-9a-f])+|[1-9](_?[0-9])*|0(_?0)*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IntegerLiteral();
}
