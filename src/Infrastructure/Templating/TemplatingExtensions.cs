using Tvm.Infrastructure.Caching;

namespace Tvm.Infrastructure.Templating;

public static class TemplatingExtensions
{
    /// <summary>
    /// The template is loaded at start-up, where one that cannot be read or parsed stops TVM naming file, line and
    /// column, and re-read whenever the file changes.
    /// </summary>
    public static IServiceCollection AddPolicyTemplating(this IServiceCollection services)
    {
        services.AddTvmCaching();
        services.AddSingleton<PolicyTemplateStore>();
        services.AddSingleton(new StartupCheck(EnvironmentNames.PolicyTemplatePath, provider => provider.GetRequiredService<PolicyTemplateStore>()));
        services.AddSingleton<IPolicyRenderer>(provider =>
        {
            var store = provider.GetRequiredService<PolicyTemplateStore>();
            return provider.GetRequiredService<IOptions<TvmOptions>>().Value.CredentialCacheSize > 0
                ? ActivatorUtilities.CreateInstance<CachingPolicyRenderer>(provider, store)
                : store;
        });
        return services;
    }
}
