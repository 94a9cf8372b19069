using System.Runtime.InteropServices;

namespace Tvm.Tests.Support;

/// <summary>
/// A folder laid out as the kubelet lays out a Secret volume: the files live in a timestamped folder, <c>..data</c>
/// links to it, and each visible file links through <c>..data</c>. An update writes a new folder and swaps the
/// <c>..data</c> link in one rename, so readers never see a half-written pair.
/// </summary>
public sealed partial class KubeletSecretVolume : IDisposable
{
    private int _generation;

    public KubeletSecretVolume() => Folder = Directory.CreateTempSubdirectory("tvm-secret-").FullName;

    public string Folder { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Publish(IReadOnlyDictionary<string, string> files)
    {
        var version = $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{++_generation}";
        var versionFolder = Directory.CreateDirectory(Path.Combine(Folder, version)).FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(versionFolder, name), content);
        }

        var staged = Path.Combine(Folder, "..data_tmp");
        File.CreateSymbolicLink(staged, version);
        if (Rename(staged, Path.Combine(Folder, "..data")) != 0)
        {
            throw new IOException($"rename(2) failed with errno {Marshal.GetLastPInvokeError()}");
        }

        foreach (var name in files.Keys)
        {
            var visible = Path.Combine(Folder, name);
            if (!Path.Exists(visible))
            {
                File.CreateSymbolicLink(visible, Path.Combine("..data", name));
            }
        }
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    // rename(2) replaces the old link in one step, as the kubelet does; File.Move does not move a link to a folder.
    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
