using Scalar.AspNetCore;
using Tvm.Infrastructure.Hosting;
using Tvm.Infrastructure.Logging;
using Tvm.Infrastructure.OpenApi;

namespace Tvm.Infrastructure;

public static class ApplicationExtensions
{
    public static IServiceCollection AddTvmApi(this IServiceCollection services)
    {
        // Only this assembly: auto-discovery would scan every loaded assembly's types at start-up.
        services.AddFastEndpoints(options =>
        {
            options.DisableAutoDiscovery = true;
            options.Assemblies = [typeof(ApplicationExtensions).Assembly];
        });
        services.AddOpenApi(options => options
            .AddDocumentTransformer<BearerTokenDocumentTransformer>()
            .AddOperationTransformer<BearerTokenDocumentTransformer>());
        return services;
    }

    public static WebApplication UseTvmPipeline(this WebApplication app)
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
