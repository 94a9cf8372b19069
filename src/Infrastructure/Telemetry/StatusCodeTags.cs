namespace Tvm.Infrastructure.Telemetry;

/// <summary>
/// Status codes as metric tag values, boxed once: a tag value is an object, and boxing the code again on every
/// request would allocate on every request.
/// </summary>
internal static class StatusCodeTags
{
    private const int First = 100;
    private static readonly object[] Boxed = [.. Enumerable.Range(First, 500).Select(code => (object)code)];

    public static object Of(int statusCode) =>
        (uint)(statusCode - First) < (uint)Boxed.Length ? Boxed[statusCode - First] : statusCode;
}
