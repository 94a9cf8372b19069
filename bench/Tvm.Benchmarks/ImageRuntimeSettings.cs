using System.Text.RegularExpressions;

namespace Tvm.Benchmarks;

/// <summary>
/// The garbage-collector settings the container image gives the runtime through its environment (ENV DOTNET_GC...
/// in the Dockerfile). TVM runs here from its published files, not from the image: these are set for it so that it
/// runs as the image runs it.
/// </summary>
internal static partial class ImageRuntimeSettings
{
    public static IReadOnlyDictionary<string, string> Read()
    {
        var dockerfile = Path.Combine(AppContext.BaseDirectory, "Dockerfile");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(dockerfile).Where(line => line.StartsWith("ENV", StringComparison.Ordinal) && line.Contains("DOTNET_GC", StringComparison.Ordinal)))
        {
            // A setting the benchmark cannot read would silently measure TVM other than as the image runs it.
            var setting = GcSetting().Match(line);
            if (!setting.Success)
            {
                throw new InvalidOperationException($"The Dockerfile's '{line}' is not one ENV NAME=VALUE the benchmark can apply; write each DOTNET_GC setting on a line of its own.");
            }

            settings[setting.Groups["name"].Value] = setting.Groups["value"].Value;
        }

        return settings;
    }

    [GeneratedRegex(@"^ENV\s+(?<name>DOTNET_GC\w+)=(?<value>[^\s""]+)\s*$")]
    private static partial Regex GcSetting();
}
