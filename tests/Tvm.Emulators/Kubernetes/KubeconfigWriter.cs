using System.Text;

namespace Tvm.Emulators.Kubernetes;

/// <summary>
/// Writes a kubeconfig with one cluster, user and context, the shape <c>kubectl config view --raw</c> shows and
/// <c>KubernetesClientConfiguration.BuildConfigFromConfigFile</c> reads.
/// </summary>
internal static class KubeconfigWriter
{
    public const string ClusterName = "tvm-emulator";
    public const string UserName = "tvm";
    public const string ContextName = "tvm-emulator";

    public static string Render(Uri server, string certificateAuthorityPem, string token, string defaultNamespace)
    {
        var caData = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificateAuthorityPem));
        var serverUrl = server.GetLeftPart(UriPartial.Authority);
        return $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {{ClusterName}}
              cluster:
                server: {{Quoted(serverUrl)}}
                certificate-authority-data: {{caData}}
            users:
            - name: {{UserName}}
              user:
                token: {{Quoted(token)}}
            contexts:
            - name: {{ContextName}}
              context:
                cluster: {{ClusterName}}
                user: {{UserName}}
                namespace: {{Quoted(defaultNamespace)}}
            current-context: {{ContextName}}
            preferences: {}

            """;
    }

    /// <summary>
    /// Writes the file readable by its owner only: it holds a bearer token, just like a real kubeconfig.
    /// </summary>
    public static void Write(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write(content);
    }

    // YAML double-quoted scalar; only backslash and quote need escaping for the values written here.
    private static string Quoted(string value) =>
        $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
