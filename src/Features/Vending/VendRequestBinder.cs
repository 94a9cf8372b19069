namespace Tvm.Features.Vending;

/// <summary>
/// FastEndpoints' binder, with a body it cannot decode answered as the client's fault: a JSON content type with a
/// charset .NET does not read (utf-7, say) otherwise surfaces as an unhandled exception and a 500.
/// </summary>
internal sealed class VendRequestBinder<TRequest>(BindingSource sources) : RequestBinder<TRequest>(sources)
    where TRequest : notnull
{
    public override async ValueTask<TRequest> BindAsync(BinderContext ctx, CancellationToken ct)
    {
        try
        {
            return await base.BindAsync(ctx, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw new BadHttpRequestException(
                "The request body cannot be decoded: send no body, or JSON in UTF-8.", StatusCodes.Status415UnsupportedMediaType, e);
        }
    }
}
