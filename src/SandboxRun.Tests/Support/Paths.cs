namespace SandboxRun.Tests.Support;

/// <summary>Where the repository and the shared test inputs are.</summary>
internal static class Paths
{
    internal static string RepoRoot { get; } = FindRoot();

    /// <summary>../shared/corpus beside the repository: real published profiles (read, never copied).</summary>
    internal static string Corpus => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));

    internal static string Profiles => Path.Combine(RepoRoot, "profiles");

    /// <summary>Every profile of the corpus and of profiles/, or none where the corpus is absent.</summary>
    internal static IEnumerable<string> RealProfiles() =>
        (Directory.Exists(Corpus) ? Directory.GetFiles(Corpus, "*.json") : [])
            .Concat(Directory.Exists(Profiles) ? Directory.GetFiles(Profiles, "*.json") : [])
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SandboxRun.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("SandboxRun.sln not found above " + AppContext.BaseDirectory);
    }
}
