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

    public static DateTimeOffset? Read(ReadOnlySpan<char> token)
    {
        var firstDot = token.IndexOf('.');
        var payloadLength = firstDot < 0 ? -1 : token[(firstDot + 1)..].IndexOf('.');
        if (payloadLength < 0)
        {
            return null;
        }

        var payload = token.Slice(firstDot + 1, payloadLength);
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
