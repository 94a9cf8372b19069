using Tvm.Features;
using Tvm.Features.Health;
using Tvm.Infrastructure;
using Tvm.Infrastructure.Hosting;
using Tvm.Infrastructure.Kubernetes;
using Tvm.Infrastructure.Logging;
using Tvm.Infrastructure.Sts;
using Tvm.Infrastructure.Telemetry;
using Tvm.Infrastructure.Templating;

var builder = WebApplication.CreateBuilder(args);

builder.AddTvmOptions();
builder.AddTvmLogging();
builder.AddTvmTelemetry();
builder.AddTvmHosting();
builder.Services
    .AddTvmProblemDetails()
    .AddPolicyTemplating()
    .AddKubernetesTokenReview()
    .AddStsCredentials()
    .AddCredentialVending()
    .AddTvmHealthChecks()
    .AddTvmApi(ApiTypes.Endpoints, ApiTypes.Json);

await using var app = builder.Build();
if (!app.ValidateConfiguration())
{
    return 1;
}

app.UseTvmMetrics();
app.UseTvmPipeline(ApiTypes.Json);
app.MapTvmHealthChecks();
await app.RunAsync();
return 0;

public partial class Program;
