using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>Python's <c>int(text, base)</c> and <c>float(text)</c> parsing, used by the <c>int</c> and <c>float</c> filters.</summary>
internal static partial class PyNumbers
{
    public static bool TryParseInt(string text, int radix, out BigInteger value)
    {
        value = BigInteger.Zero;
        var body = PyText.Strip(text);
        var negative = false;
        if (body.Length > 0 && body[0] is '+' or '-')
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        if (body.Length > 1 && body[0] == '0' && char.ToLowerInvariant(body[1]) is 'x' or 'o' or 'b')
        {
            var prefixRadix = char.ToLowerInvariant(body[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            if (radix != 0 && radix != prefixRadix)
            {
                return false;
            }

            radix = prefixRadix;
            body = body[2..];
            if (body.StartsWith('_'))
            {
                body = body[1..];
            }
        }
        else if (radix == 0)
        {
            radix = 10;
            if (body.Length > 1 && body.TrimStart('0', '_').Length == 0 && body[0] == '0')
            {
                body = "0";
            }
            else if (body.Length > 1 && body[0] == '0')
            {
                return false;
            }
        }

        if (radix is < 2 or > 36 || body.Length == 0 || body[0] == '_' || body[^1] == '_' || body.Contains("__", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in body)
        {
            if (c == '_')
            {
                continue;
            }

            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= radix)
            {
                value = BigInteger.Zero;
                return false;
            }

            value = (value * radix) + digit;
            if (value.GetBitLength() > 4096)
            {
                return false;
            }
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }

    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        var body = PyText.Strip(text);
        var special = body.TrimStart('+', '-').ToLowerInvariant();
        if (body.Length - special.Length <= 1 && special is "inf" or "infinity" or "nan")
        {
            value = special == "nan" ? double.NaN : double.PositiveInfinity;
            if (body.StartsWith('-'))
            {
                value = -value;
            }

            return true;
        }

        if (!FloatText().IsMatch(body))
        {
            return false;
        }

        value = double.Parse(body.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    [GeneratedRegex(@"^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatText();
}
