[assembly: AssemblyFixture(typeof(Tvm.Tests.Support.TemplateFilesCleanup))]

namespace Tvm.Tests.Support;

/// <summary>Policy templates written to disk, as operators mount them.</summary>
public static class TemplateFiles
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("tvm-templates-").FullName;

    public static string Write(string content)
    {
        var path = Path.Combine(Folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }

    internal static void DeleteAll()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>Uses every variable so a test can check exactly what reached STS.</summary>
    public const string EveryVariable = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::bucket/{{ namespace }}/{{ serviceaccount }}/{{ pod_name }}/{{ pod_uid }}/{{ node_name }}/{{ serviceaccount_uid }}"
            }
          ]
        }
        """;
}

/// <summary>Removes the written templates once every test has run.</summary>
public sealed class TemplateFilesCleanup : IDisposable
{
    public void Dispose() => TemplateFiles.DeleteAll();
}
