using FluentValidation.Results;

namespace Tvm.Features.Vending;

/// <summary>
/// A validator for a request that carries a service-account token, whose rules run only when a direct check of the
/// same conditions fails. Nearly every request is valid, and walking FluentValidation's rules for one header cost
/// about 4 % of a cached vend's CPU; an invalid request still gets its message from the rules.
/// </summary>
public abstract class TokenRequestValidator<TRequest> : Validator<TRequest>, IValidator<TRequest>
    where TRequest : notnull
{
    /// <summary>True only when every rule of this validator would pass: a request it lets through is never checked again.</summary>
    protected internal abstract bool PassesEveryRule(TRequest request);

    public override ValidationResult Validate(FluentValidation.ValidationContext<TRequest> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PassesEveryRule(context.InstanceToValidate) ? new ValidationResult() : base.Validate(context);
    }

    public override Task<ValidationResult> ValidateAsync(FluentValidation.ValidationContext<TRequest> context, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PassesEveryRule(context.InstanceToValidate) ? Task.FromResult(new ValidationResult()) : base.ValidateAsync(context, cancellation);
    }

    // FastEndpoints validates through IValidator<T>.ValidateAsync(instance), which would build a ValidationContext
    // (with dictionaries of its own) before any override above is reached: a valid request is answered here instead.
    Task<ValidationResult> IValidator<TRequest>.ValidateAsync(TRequest instance, CancellationToken cancellation) =>
        PassesEveryRule(instance) ? Task.FromResult(new ValidationResult()) : ValidateAsync(instance, cancellation);

    /// <summary>The rules alone, without the direct check: what the check must agree with.</summary>
    internal ValidationResult ValidateByRules(TRequest request) => base.Validate(new FluentValidation.ValidationContext<TRequest>(request));
}
