using System.Text.Encodings.Web;

namespace Tvm.Infrastructure.Hosting;

/// <summary>How every JSON answer is written, whether FastEndpoints serializes it or an endpoint sends bytes it made earlier.</summary>
public static class ResponseJson
{
    public const string ContentType = "application/json; charset=utf-8";

    // Served as application/json, never inside HTML: no need to escape '+' in secrets as \u002B.
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Encoder = Encoder };
}
