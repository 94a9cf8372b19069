using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Tvm.Infrastructure.Errors;

public static class ProblemDetailsExtensions
{
    public const string RequestIdMember = "requestId";

    /// <summary>Every problem+json answer, ours or the framework's, carries the request id and nothing of the exception.</summary>
    public static IServiceCollection AddTvmProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.Remove("traceId");
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Extensions[RequestIdMember] = context.HttpContext.TraceIdentifier;
        });

    /// <summary>The same shape for failures FastEndpoints answers itself (an unreadable body, say).</summary>
    public static ProblemDetails CreateProblem(HttpContext context, int status, string title, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions[RequestIdMember] = context.TraceIdentifier;
        return problem;
    }
}
