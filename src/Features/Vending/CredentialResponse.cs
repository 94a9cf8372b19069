using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using Tvm.Infrastructure.Hosting;
using Tvm.Infrastructure.Sts;

namespace Tvm.Features.Vending;

/// <summary>A 200 answer that carries one credential's fields, in the form one endpoint speaks.</summary>
public interface ICredentialResponse<TSelf>
    where TSelf : ICredentialResponse<TSelf>
{
    static abstract TSelf From(AwsCredentials credentials);
}

/// <summary>
/// Sends a credential's 200 answer as JSON serialized once per credential rather than once per request: a cache
/// hit hands out the same credentials instance again and again. The bytes live exactly as long as that instance
/// (a weak table keyed by it), so they never outlive the cache entry, and go out with a Content-Length.
/// </summary>
internal static class CredentialResponse<TResponse>
    where TResponse : ICredentialResponse<TResponse>
{
    private static readonly ConditionalWeakTable<AwsCredentials, byte[]> Serialized = [];
    private static readonly JsonTypeInfo<TResponse> TypeInfo =
        (JsonTypeInfo<TResponse>)new JsonSerializerOptions(ResponseJson.Options) { TypeInfoResolver = ApiTypes.Json }.GetTypeInfo(typeof(TResponse));

    public static Task SendAsync(HttpResponse response, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var body = Serialized.GetValue(credentials, static credentials => JsonSerializer.SerializeToUtf8Bytes(TResponse.From(credentials), TypeInfo));
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ResponseJson.ContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }
}
