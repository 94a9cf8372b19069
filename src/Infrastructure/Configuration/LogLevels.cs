using Serilog.Events;

namespace Tvm.Infrastructure.Configuration;

/// <summary>Reads LOG_LEVEL in the Python-logging names users know, and Serilog's own names.</summary>
public static class LogLevels
{
    public static bool TryParse(string? value, out LogEventLevel level)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case null or "":
            case "INFO":
                level = LogEventLevel.Information;
                return true;
            case "WARN":
            case "WARNING":
                level = LogEventLevel.Warning;
                return true;
            case "CRITICAL":
                level = LogEventLevel.Fatal;
                return true;
            case "TRACE":
                level = LogEventLevel.Verbose;
                return true;
            default:
                return Enum.TryParse(value, ignoreCase: true, out level) && Enum.IsDefined(level);
        }
    }
}
