using System.Text.Json.Serialization.Metadata;
using Scalar.AspNetCore;
using Tvm.Infrastructure.Hosting;
using Tvm.Infrastructure.Logging;
using Tvm.Infrastructure.OpenApi;

namespace Tvm.Infrastructure;

public static class ApplicationExtensions
{
    /// <param name="endpointTypes">The endpoints and validators, named rather than scanned for: a trimmed build cannot be scanned.</param>
    /// <param name="json">Metadata for every type the API reads or writes: a trimmed build has no reflection-based JSON.</param>
    public static IServiceCollection AddTvmApi(this IServiceCollection services, IReadOnlyList<Type> endpointTypes, IJsonTypeInfoResolver json)
    {
        services.AddFastEndpoints([.. endpointTypes]);
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, json));
        services.AddOpenApi(options => options
            .AddDocumentTransformer<BearerTokenDocumentTransformer>()
            .AddOperationTransformer<BearerTokenDocumentTransformer>());
        return services;
    }

    public static WebApplication UseTvmPipeline(this WebApplication app, IJsonTypeInfoResolver json)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's fault found while reading the request (a body over the limit, say) stays a 4xx.
            StatusCodeSelector = exception => exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError,
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.UseFastEndpoints(config =>
        {
            config.Endpoints.ShortNames = true;

            config.Serializer.Options.Encoder = ResponseJson.Encoder;
            config.Serializer.Options.TypeInfoResolverChain.Insert(0, json);
            config.Errors.ContentType = "application/problem+json";
            config.Errors.ResponseBuilder = (failures, context, status) => ProblemDetailsExtensions.CreateProblem(
                context,
                status,
                "The request is not valid",
                string.Join(" ", failures.Select(failure => failure.ErrorMessage)));
        });
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Token Vending Machine"));
        return app;
    }
}
