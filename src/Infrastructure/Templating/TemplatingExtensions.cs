namespace Tvm.Infrastructure.Templating;

public static class TemplatingExtensions
{
    public static IServiceCollection AddPolicyTemplating(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<TvmOptions>, PolicyTemplateValidator>();
        services.AddSingleton(provider => PolicyTemplate.Load(provider.GetRequiredService<IOptions<TvmOptions>>().Value.PolicyTemplatePath));
        services.AddSingleton<IPolicyRenderer>(provider => provider.GetRequiredService<PolicyTemplate>());
        return services;
    }
}

/// <summary>A template that cannot be read or parsed stops start-up, naming the file, line and column.</summary>
internal sealed class PolicyTemplateValidator : IValidateOptions<TvmOptions>
{
    public ValidateOptionsResult Validate(string? name, TvmOptions options)
    {
        try
        {
            PolicyTemplate.Load(options.PolicyTemplatePath);
            return ValidateOptionsResult.Success;
        }
        catch (PolicyTemplateException e)
        {
            return ValidateOptionsResult.Fail($"{EnvironmentNames.PolicyTemplatePath}: {e.Message}");
        }
    }
}
