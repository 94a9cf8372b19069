using System.Buffers;
using System.Buffers.Text;

namespace Tvm.Infrastructure.Caching;

/// <summary>
/// Reads the <c>exp</c> claim of a JWT without verifying it. Only used to bound how long a review the
/// Kubernetes API already vouched for may be reused: never to decide whether a token is valid.
/// </summary>
public static class JwtExpiry
{
    private const int MaxPayloadBytes = 16 * 1024;

    public static DateTimeOffset? Read(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (secondDot < 0)
        {
            return null;
        }

        var payload = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(Math.Min(payload.Length, MaxPayloadBytes)));
        try
        {
            if (payload.Length > MaxPayloadBytes || !Base64Url.TryDecodeFromChars(payload, buffer, out var written))
            {
                return null;
            }

            var reader = new Utf8JsonReader(buffer.AsSpan(0, written));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isExpiry = reader.ValueTextEquals("exp"u8);
                reader.Read();
                if (isExpiry && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }

                reader.Skip();
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
