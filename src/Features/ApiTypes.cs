using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Tvm.Features.ContainerCredentials;
using Tvm.Features.Health;
using Tvm.Features.VendCredentials;

namespace Tvm.Features;

/// <summary>
/// TVM's endpoints and validators, and the JSON types its answers use, named here instead of found by reflection at
/// start-up: the image runs a trimmed build, which keeps only what it can see being used. A test holds these lists to
/// the types in the assembly, so a new endpoint cannot be forgotten.
/// </summary>
public static class ApiTypes
{
    /// <summary>What FastEndpoints' assembly scan would find: every endpoint and every validator.</summary>
    public static IReadOnlyList<Type> Endpoints { get; } =
    [
        typeof(VendCredentialsEndpoint),
        typeof(VendCredentialsRequestValidator),
        typeof(ContainerCredentialsEndpoint),
        typeof(ContainerCredentialsRequestValidator),
    ];

    public static IJsonTypeInfoResolver Json => ApiJsonContext.Default;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(VendCredentialsRequest))]
[JsonSerializable(typeof(VendCredentialsResponse))]
[JsonSerializable(typeof(ContainerCredentialsRequest))]
[JsonSerializable(typeof(ContainerCredentialsResponse))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(object))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
