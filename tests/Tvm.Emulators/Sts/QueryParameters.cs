namespace Tvm.Emulators.Sts;

/// <summary>
/// Reads AWS Query protocol parameters from a query string or an <c>application/x-www-form-urlencoded</c> body.
/// Names are case-sensitive, as AWS treats them; the first occurrence of a name wins.
/// </summary>
internal static class QueryParameters
{
    public static void AddTo(Dictionary<string, string> parameters, ReadOnlySpan<char> encoded)
    {
        foreach (var range in encoded.Split('&'))
        {
            var pair = encoded[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            parameters.TryAdd(name, value);
        }
    }

    // Form encoding writes a space as '+'; everything else is percent-encoded UTF-8.
    private static string Decode(ReadOnlySpan<char> encoded) => Uri.UnescapeDataString(encoded.ToString().Replace('+', ' '));
}
