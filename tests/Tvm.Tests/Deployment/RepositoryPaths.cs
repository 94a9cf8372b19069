namespace Tvm.Tests.Deployment;

/// <summary>Files of the repository under test, found from the test binaries by walking up to Tvm.slnx.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    /// <param name="relativePath">Forward slashes, relative to the repository root.</param>
    public static string Of(string relativePath) =>
        Path.GetFullPath(Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar)));

    public static string ReadAllText(string relativePath)
    {
        var path = Of(relativePath);
        File.Exists(path).Should().BeTrue($"the repository should contain {relativePath}");
        return File.ReadAllText(path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tvm.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tvm.slnx in {AppContext.BaseDirectory} or any folder above it.");
    }
}
