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
        foreach (Match setting in GcEnvironment().Matches(File.ReadAllText(dockerfile)))
        {
            settings[setting.Groups["name"].Value] = setting.Groups["value"].Value;
        }

        return settings;
    }

    [GeneratedRegex(@"^ENV\s+(?<name>DOTNET_GC\w+)=(?<value>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex GcEnvironment();
}
