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
