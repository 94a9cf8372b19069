using Tvm.Infrastructure.Caching;

namespace Tvm.Infrastructure.Templating;

public static class TemplatingExtensions
{
    /// <summary>The template is parsed once, at start-up: one that cannot be read or parsed stops TVM, naming file, line and column.</summary>
    public static IServiceCollection AddPolicyTemplating(this IServiceCollection services)
    {
        services.AddTvmCaching();
        services.AddSingleton(provider => PolicyTemplate.Load(provider.GetRequiredService<IOptions<TvmOptions>>().Value.PolicyTemplatePath));
        services.AddSingleton(new StartupCheck(EnvironmentNames.PolicyTemplatePath, provider => provider.GetRequiredService<PolicyTemplate>()));
        services.AddSingleton<IPolicyRenderer>(provider =>
        {
            var template = provider.GetRequiredService<PolicyTemplate>();
            return provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize > 0
                ? ActivatorUtilities.CreateInstance<CachingPolicyRenderer>(provider, (IPolicyRenderer)template)
                : template;
        });
        return services;
    }
}
