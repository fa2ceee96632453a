namespace SandboxRun.Tests.Support;

/// <summary>Where the tests find the repository and the shared corpus of real profiles.</summary>
internal static class Paths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding SandboxRun.sln.</summary>
    internal static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// <c>../shared/corpus</c> beside the repository (SOURCES.md there says what each file is).
    /// It may be absent; tests that need it skip.
    /// </summary>
    internal static string Corpus { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));

    private static string FindRepoRoot()
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
