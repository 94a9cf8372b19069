using FastEndpoints;
using FluentValidation;
using Tvm.Features;

namespace Tvm.Tests.Features;

/// <summary>The trimmed build finds nothing by scanning: what <see cref="ApiTypes"/> names is all it has.</summary>
public sealed class ApiTypesTests
{
    private static readonly Type[] ConcreteTypes = [.. typeof(ApiTypes).Assembly.GetTypes().Where(type => type is { IsClass: true, IsAbstract: false })];

    [Fact]
    public void Every_endpoint_and_validator_is_listed_and_nothing_else()
    {
        var scanned = ConcreteTypes.Where(type => typeof(IEndpoint).IsAssignableFrom(type) || typeof(IValidator).IsAssignableFrom(type));

        ApiTypes.Endpoints.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(scanned);
    }

    [Fact]
    public void Every_endpoint_request_and_response_has_json_metadata()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = ApiTypes.Json };
        var endpoints = ApiTypes.Endpoints.Where(type => typeof(IEndpoint).IsAssignableFrom(type)).ToList();
        var messages = endpoints
            .Select(type => type.BaseType!)
            .Where(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Endpoint<,>))
            .SelectMany(type => type.GetGenericArguments())
            .ToList();

        messages.Should().HaveCount(2 * endpoints.Count, "every endpoint declares its request and response types");
        foreach (var type in messages)
        {
            ApiTypes.Json.GetTypeInfo(type, options).Should().NotBeNull(type.Name);
        }
    }
}
