namespace SandboxRun.EndToEnd;

/// <summary>A directory of its own for one spec, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    internal TempDir()
    {
        Path = Directory.CreateTempSubdirectory("sandboxrun-e2e-").FullName;
    }

    internal string Path { get; }

    internal string File(string name) => System.IO.Path.Combine(Path, name);

    internal string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
