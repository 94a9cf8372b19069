using Serilog.Core;
using Serilog.Events;

namespace Tvm.Infrastructure.Logging;

/// <summary>
/// Sets RequestId on every event logged inside a request. It replaces, rather than adds to, the RequestId of
/// ASP.NET Core's hosting scope, which was taken before <see cref="RequestIdMiddleware"/> chose the id.
/// </summary>
internal sealed class RequestIdEnricher(string requestId) : ILogEventEnricher
{
    public const string PropertyName = "RequestId";

    private readonly LogEventProperty _property = new(PropertyName, new ScalarValue(requestId));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) => logEvent.AddOrUpdateProperty(_property);
}
