using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun record</c>, <c>--report</c> and the profiles they make: the names a recorded
/// profile allows, a copy with one name removed, and the calls a report names.
/// </summary>
internal static partial class Recording
{
    /// <summary>Runs <c>sandboxrun record -o OUT -- COMMAND</c> in <paramref name="workDir"/>.</summary>
    internal static Task<BufferedCommandResult> RecordAsync(string output, IEnumerable<string> command, string workDir)
    {
        Sandboxrun.SkipIfMissing();
        return Launch.ProcessAsync(Repo.Binary, ["record", "-o", output, "--", .. command], c => c.WithWorkingDirectory(workDir));
    }

    /// <summary>Runs <c>sandboxrun record --base BASE -o OUT -- COMMAND</c> in <paramref name="workDir"/>.</summary>
    internal static Task<BufferedCommandResult> RecordOnAsync(string baseProfile, string output, IEnumerable<string> command, string workDir)
    {
        Sandboxrun.SkipIfMissing();
        return Launch.ProcessAsync(Repo.Binary, ["record", "--base", baseProfile, "-o", output, "--", .. command], c => c.WithWorkingDirectory(workDir));
    }

    /// <summary>Runs <c>sandboxrun run --profile P [OPTIONS] -- COMMAND</c> in <paramref name="workDir"/>.</summary>
    internal static Task<BufferedCommandResult> EnforceAsync(string profile, IEnumerable<string> options, IEnumerable<string> command, string workDir)
    {
        Sandboxrun.SkipIfMissing();
        return Launch.ProcessAsync(Repo.Binary, ["run", "--profile", profile, .. options, "--", .. command], c => c.WithWorkingDirectory(workDir));
    }

    /// <summary>The names of the profile's one ALLOW rule.</summary>
    internal static List<string> Names(string profile)
    {
        var root = JsonNode.Parse(File.ReadAllText(profile))!;
        return root["syscalls"]!.AsArray().Single()!["names"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
    }

    /// <summary>A copy of the profile without <paramref name="name"/>.</summary>
    internal static string Without(string profile, string name, string output)
    {
        var root = JsonNode.Parse(File.ReadAllText(profile))!;
        var names = root["syscalls"]!.AsArray().Single()!["names"]!.AsArray();
        var node = names.Single(n => n!.GetValue<string>() == name);
        names.Remove(node);
        File.WriteAllText(output, root.ToJsonString());
        return output;
    }

    /// <summary>The syscall names of the <c>sandboxrun: denied NAME(...)</c> lines of a report.</summary>
    internal static List<string> Denied(string stderr) =>
        Sandboxrun.Lines(stderr).Select(l => DeniedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^sandboxrun: denied ([a-z0-9_]+)\(")]
    private static partial Regex DeniedLine();
}
