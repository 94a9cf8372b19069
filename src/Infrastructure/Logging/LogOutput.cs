namespace Tvm.Infrastructure.Logging;

/// <summary>
/// Where the JSON log lines go when not to stdout. A host whose own stdout already carries a protocol (a test
/// runner that reads its messages from stdout, for one) registers another stream, so that log lines are never
/// interleaved with that protocol's messages.
/// </summary>
public sealed class LogOutput(Stream stream)
{
    public Stream Stream { get; } = stream;
}
