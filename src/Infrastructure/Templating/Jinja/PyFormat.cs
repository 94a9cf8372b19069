using System.Globalization;
using System.Numerics;
using System.Text;

namespace Tvm.Infrastructure.Templating.Jinja;

/// <summary>
/// Python's printf-style formatting (<c>"%s" % x</c> and the <c>format</c> filter) and its exact decimal rounding of
/// floats, computed from the double's exact binary value so that ties round as Python rounds them.
/// </summary>
internal static class PyFormat
{
    public static string Printf(string format, object? arguments)
    {
        var positional = arguments is PyTuple tuple ? tuple.Items : [arguments];
        var mapping = arguments as PyDict;
        // Python skips the "not all arguments converted" check for anything subscriptable but a tuple or a string.
        var mappingLike = arguments is PyDict or List<object?> or PyRange or Undefined;
        var next = 0;
        var output = new StringBuilder();

        object? TakeArgument()
        {
            if (next >= positional.Count)
            {
                throw new JinjaRuntimeException("TypeError: not enough arguments for format string");
            }

            return positional[next++];
        }

        var i = 0;
        while (i < format.Length)
        {
            var c = format[i++];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }

            if (i >= format.Length)
            {
                throw new JinjaRuntimeException("ValueError: incomplete format");
            }

            object? value = null;
            var hasKey = false;
            if (format[i] == '(')
            {
                var close = format.IndexOf(')', i);
                if (close < 0)
                {
                    throw new JinjaRuntimeException("ValueError: incomplete format key");
                }

                if (mapping is null)
                {
                    throw new JinjaRuntimeException("TypeError: format requires a mapping");
                }

                var key = format[(i + 1)..close];
                value = mapping.TryGet(key, out var found) ? found : throw new JinjaRuntimeException($"KeyError: {PyRepr.Repr(key)}");
                hasKey = true;
                i = close + 1;
            }

            var flags = "";
            while (i < format.Length && format[i] is '-' or '+' or ' ' or '#' or '0')
            {
                flags += format[i++];
            }

            var width = ReadNumber(format, ref i, TakeArgument);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, TakeArgument) ?? 0;
            }

            while (i < format.Length && format[i] is 'h' or 'l' or 'L')
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw new JinjaRuntimeException("ValueError: incomplete format");
            }

            var conversion = format[i++];
            if (conversion == '%')
            {
                output.Append('%');
                continue;
            }

            if (!hasKey)
            {
                value = TakeArgument();
            }

            var text = Convert(conversion, flags, precision, value, i - 1);
            output.Append(Pad(text, flags, width, conversion is not ('s' or 'r' or 'a' or 'c')));
            PyOps.CheckStringLength(output.Length);
        }

        if (next < positional.Count && !mappingLike)
        {
            throw new JinjaRuntimeException("TypeError: not all arguments converted during string formatting");
        }

        return output.ToString();
    }

    private static int? ReadNumber(string format, ref int i, Func<object?> takeArgument)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            var argument = takeArgument();
            return PyOps.IsInteger(argument)
                ? ClampWidth(PyOps.ToInteger(argument))
                : throw new JinjaRuntimeException("TypeError: * wants int");
        }

        var start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        return i > start ? ClampWidth(BigInteger.Parse(format[start..i], CultureInfo.InvariantCulture)) : null;
    }

    private static int ClampWidth(BigInteger width)
    {
        PyOps.CheckStringLength(width);
        return (int)width;
    }

    private static string Pad(string text, string flags, int? width, bool numeric)
    {
        if (width is not { } w || text.Length >= w)
        {
            return text;
        }

        if (flags.Contains('-', StringComparison.Ordinal))
        {
            return text.PadRight(w);
        }

        if (numeric && flags.Contains('0', StringComparison.Ordinal))
        {
            var signLength = text.Length > 0 && text[0] is '-' or '+' or ' ' ? 1 : 0;
            if (text.Length > signLength + 1 && text[signLength] == '0' && text[signLength + 1] is 'x' or 'X' or 'o')
            {
                signLength += 2;
            }

            return text[..signLength] + new string('0', w - text.Length) + text[signLength..];
        }

        return text.PadLeft(w);
    }

    private static string Convert(char conversion, string flags, int? precision, object? value, int at)
    {
        switch (conversion)
        {
            case 's':
                var text = PyRepr.Str(value);
                return precision is { } p && p < text.Length ? text[..p] : text;
            case 'r' or 'a':
                var repr = PyRepr.Repr(value);
                if (conversion == 'a')
                {
                    repr = AsciiOnly(repr);
                }

                return precision is { } q && q < repr.Length ? repr[..q] : repr;
            case 'd' or 'i' or 'u':
                return Signed(flags, IntegerFor(value, "%d format: a real number is required"), magnitude =>
                    Zeros(magnitude.ToString(CultureInfo.InvariantCulture), precision));
            case 'x' or 'X' or 'o':
                if (!PyOps.IsInteger(value))
                {
                    return value is Undefined u ? throw u.Fail() : throw new JinjaRuntimeException(
                        $"TypeError: %{conversion} format: an integer is required, not {PyOps.TypeName(value)}");
                }

                return Signed(flags, PyOps.ToInteger(value), magnitude =>
                {
                    var digits = conversion == 'o' ? ToOctal(magnitude) : magnitude.ToString(conversion == 'x' ? "x" : "X", CultureInfo.InvariantCulture).TrimStart('0');
                    digits = Zeros(digits.Length == 0 ? "0" : digits, precision);
                    var prefix = flags.Contains('#', StringComparison.Ordinal) ? (conversion == 'o' ? "0o" : conversion == 'x' ? "0x" : "0X") : "";
                    return prefix + digits;
                });
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G':
                var number = value switch
                {
                    _ when PyOps.IsNumber(value) => PyOps.ToDouble(value),
                    Undefined u => throw u.Fail(),
                    _ => throw new JinjaRuntimeException($"TypeError: must be real number, not {PyOps.TypeName(value)}"),
                };
                return FloatSigned(flags, number, conversion, precision ?? 6);
            case 'c':
                return value switch
                {
                    string { Length: 1 } single => single,
                    _ when PyOps.IsInteger(value) && PyOps.ToInteger(value) is var code && code >= 0 && code <= 0x10FFFF => char.ConvertFromUtf32((int)code),
                    _ => throw new JinjaRuntimeException("TypeError: %c requires an int or a unicode character"),
                };
            default:
                throw new JinjaRuntimeException(
                    $"ValueError: unsupported format character {PyRepr.Repr(conversion.ToString())} (0x{(int)conversion:x}) at index {at}");
        }
    }

    private static string AsciiOnly(string text)
    {
        var output = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            output.Append(rune.Value switch
            {
                < 0x80 => rune.ToString(),
                <= 0xff => string.Create(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}"),
                <= 0xffff => string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}"),
            });
        }

        return output.ToString();
    }

    private static BigInteger IntegerFor(object? value, string message) => value switch
    {
        double number when double.IsNaN(number) => throw new JinjaRuntimeException("ValueError: cannot convert float NaN to integer"),
        double number when double.IsInfinity(number) => throw new JinjaRuntimeException("OverflowError: cannot convert float infinity to integer"),
        double number => new BigInteger(Math.Truncate(number)),
        _ when PyOps.IsInteger(value) => PyOps.ToInteger(value),
        Undefined u => throw u.Fail(),
        _ => throw new JinjaRuntimeException($"TypeError: {message}, not {PyOps.TypeName(value)}"),
    };

    private static string ToOctal(BigInteger value)
    {
        if (value.IsZero)
        {
            return "0";
        }

        var digits = new StringBuilder();
        while (!value.IsZero)
        {
            digits.Insert(0, (char)('0' + (int)(value % 8)));
            value /= 8;
        }

        return digits.ToString();
    }

    private static string Zeros(string digits, int? precision) =>
        precision is { } p && digits.Length < p ? new string('0', p - digits.Length) + digits : digits;

    private static string Signed(string flags, BigInteger value, Func<BigInteger, string> format)
    {
        var body = format(BigInteger.Abs(value));
        return SignPrefix(flags, value.Sign < 0) + body;
    }

    private static string SignPrefix(string flags, bool negative) =>
        negative ? "-" : flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : "";

    private static string FloatSigned(string flags, double value, char conversion, int precision)
    {
        var alternate = flags.Contains('#', StringComparison.Ordinal);
        string body;
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            body = double.IsNaN(value) ? "nan" : "inf";
            if (char.IsUpper(conversion))
            {
                body = body.ToUpperInvariant();
            }
        }
        else
        {
            body = char.ToLowerInvariant(conversion) switch
            {
                'f' => Fixed(Math.Abs(value), precision, alternate),
                'e' => Exponent(Math.Abs(value), precision, alternate),
                _ => General(Math.Abs(value), precision, alternate),
            };
            if (char.IsUpper(conversion))
            {
                body = body.ToUpperInvariant();
            }
        }

        return SignPrefix(flags, double.IsNegative(value) && !double.IsNaN(value)) + body;
    }

    /// <summary><c>%.{precision}f</c> of a non-negative value, rounded half to even on its exact binary value.</summary>
    public static string Fixed(double value, int precision, bool alternate = false)
    {
        var (numerator, denominator) = Exact(value);
        var scaled = RoundHalfEven(numerator * BigInteger.Pow(10, precision), denominator);
        var digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        if (precision == 0)
        {
            return alternate ? digits + "." : digits;
        }

        return $"{digits[..^precision]}.{digits[^precision..]}";
    }

    private static (string Digits, int Exponent) ScientificDigits(double value, int precision)
    {
        if (value == 0)
        {
            return (new string('0', precision + 1), 0);
        }

        var (numerator, denominator) = Exact(value);
        var exponent = (int)Math.Floor(Math.Log10(value));
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var shift = precision - exponent;
            var scaled = shift >= 0
                ? RoundHalfEven(numerator * BigInteger.Pow(10, shift), denominator)
                : RoundHalfEven(numerator, denominator * BigInteger.Pow(10, -shift));
            var digits = scaled.ToString(CultureInfo.InvariantCulture);
            if (digits.Length > precision + 1)
            {
                exponent++;
                continue;
            }

            if (digits.Length < precision + 1)
            {
                exponent--;
                continue;
            }

            return (digits, exponent);
        }

        throw new InvalidOperationException("no exponent fits");
    }

    private static string Exponent(double value, int precision, bool alternate)
    {
        var (digits, exponent) = ScientificDigits(value, precision);
        var mantissa = digits.Length > 1 || alternate ? $"{digits[0]}.{digits[1..]}" : digits;
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}");
    }

    private static string General(double value, int precision, bool alternate)
    {
        var significant = precision == 0 ? 1 : precision;
        var (_, exponent) = ScientificDigits(value, significant - 1);
        var text = exponent >= -4 && exponent < significant
            ? Fixed(value, significant - 1 - exponent, alternate)
            : Exponent(value, significant - 1, alternate);
        if (alternate)
        {
            return text;
        }

        var e = text.IndexOf('e', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var suffix = e < 0 ? "" : text[e..];
        if (mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        }

        return mantissa + suffix;
    }

    /// <summary>Python's <c>round(x, ndigits)</c> for a float: exact half-to-even on the binary value, then the nearest double.</summary>
    public static double Round(double value, int digits)
    {
        if (!double.IsFinite(value) || value == 0)
        {
            return value;
        }

        var (numerator, denominator) = Exact(Math.Abs(value));
        BigInteger rounded;
        double result;
        if (digits >= 0)
        {
            rounded = RoundHalfEven(numerator * BigInteger.Pow(10, Math.Min(digits, 400)), denominator);
            result = double.Parse($"{rounded}E-{Math.Min(digits, 400)}", CultureInfo.InvariantCulture);
        }
        else
        {
            var unit = BigInteger.Pow(10, Math.Min(-digits, 400));
            rounded = RoundHalfEven(numerator, denominator * unit);
            result = (double)(rounded * unit);
        }

        return value < 0 ? -result : result;
    }

    public static BigInteger RoundIntegerHalfEven(BigInteger value, int digits)
    {
        if (digits >= 0)
        {
            return value;
        }

        var unit = BigInteger.Pow(10, Math.Min(-digits, 1300));
        var rounded = RoundHalfEven(BigInteger.Abs(value), unit) * unit;
        return value.Sign < 0 ? -rounded : rounded;
    }

    /// <summary>A correctly rounded double for <paramref name="numerator"/> / <paramref name="denominator"/>.</summary>
    public static double RationalToDouble(BigInteger numerator, BigInteger denominator)
    {
        var negative = (numerator.Sign < 0) != (denominator.Sign < 0);
        numerator = BigInteger.Abs(numerator);
        denominator = BigInteger.Abs(denominator);
        var scale = 40 - (int)(numerator.GetBitLength() - denominator.GetBitLength()) * 30103 / 100000;
        var scaled = scale >= 0 ? numerator * BigInteger.Pow(10, scale) / denominator : numerator / (denominator * BigInteger.Pow(10, -scale));
        var result = double.Parse($"{scaled}E{-scale}", CultureInfo.InvariantCulture);
        return negative ? -result : result;
    }

    private static (BigInteger Numerator, BigInteger Denominator) Exact(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & ((1L << 52) - 1);
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        return exponent >= 0
            ? (new BigInteger(mantissa) << exponent, BigInteger.One)
            : (new BigInteger(mantissa), BigInteger.One << -exponent);
    }

    private static BigInteger RoundHalfEven(BigInteger numerator, BigInteger denominator)
    {
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        var comparison = twice.CompareTo(denominator);
        return comparison > 0 || (comparison == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
    }
}
