using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Tvm.Infrastructure.Caching;

namespace Tvm.Infrastructure.Sts;

public static class StsExtensions
{
    /// <summary>
    /// The AssumeRole client, behind its cache unless CREDENTIAL_CACHE_SIZE is 0. The client takes base credentials from the SDK's default chain (environment, IRSA, instance profile)
    /// and its endpoint from the region, unless AWS_ENDPOINT_URL_STS overrides it as the SDK defines.
    /// </summary>
    public static IServiceCollection AddStsCredentials(this IServiceCollection services)
    {
        services.AddTvmCaching();
        services.AddSingleton<IAmazonSecurityTokenService>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TvmOptions>>().Value;
            return new AmazonSecurityTokenServiceClient(new AmazonSecurityTokenServiceConfig
            {
                RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region),
                RetryMode = RequestRetryMode.Standard,
                MaxErrorRetry = 2,
                Timeout = options.UpstreamTimeout,
            });
        });
        services.AddSingleton<StsCredentialIssuer>();
        services.AddSingleton<ICredentialIssuer>(provider =>
        {
            var issuer = provider.GetRequiredService<StsCredentialIssuer>();
            return provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize > 0
                ? ActivatorUtilities.CreateInstance<CachingCredentialIssuer>(provider, (ICredentialIssuer)issuer)
                : issuer;
        });
        return services;
    }
}
