namespace SandboxRun.EndToEnd;

/// <summary>
/// Where things are: the repository root is the nearest directory above the test assembly
/// that holds SandboxRun.sln, so the specs work from any build output path.
/// </summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    internal static string Root => LazyRoot.Value;

    /// <summary>The Native AOT binary that scripts/build writes.</summary>
    internal static string Binary => Path.Combine(Root, "out", "sandboxrun");

    /// <summary>A profile of the shared corpus, which lives beside the repository (../shared/corpus).</summary>
    internal static string Corpus(string name) => Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus", name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SandboxRun.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no SandboxRun.sln above {AppContext.BaseDirectory}");
    }
}
