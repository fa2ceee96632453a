using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun run [OPTIONS] -- COMMAND [ARG]...</c>, the launcher, as a child process of
/// the test host: the filter binds that child and what it execs, never the test host.
/// </summary>
internal static class Launch
{
    /// <summary>
    /// Docker's current default profile from the shared corpus. The built-in
    /// <c>docker-default</c> is made from the same file (scripts/gen-docker-default); the
    /// specs name the file so that what they assert does not move with the binary.
    /// </summary>
    internal static string[] DockerDefault()
    {
        var profile = Repo.Corpus("moby-default-current.json");
        Skip.IfNot(File.Exists(profile), $"{profile} is missing (the shared corpus sits beside the repository)");
        return ["--profile", profile];
    }

    /// <summary>Runs <c>out/sandboxrun run OPTIONS -- COMMAND</c> to its end.</summary>
    internal static Task<BufferedCommandResult> RunAsync(
        IEnumerable<string> options,
        IEnumerable<string> command,
        Func<Command, Command>? configure = null)
    {
        Sandboxrun.SkipIfMissing();
        return ProcessAsync(Repo.Binary, ["run", .. options, "--", .. command], configure);
    }

    /// <summary>
    /// Runs any program to its end, in the repository root unless <paramref name="configure"/>
    /// says otherwise, and buffers its output. A non-zero exit is a result; a process still
    /// running after <see cref="Sandboxrun.Timeout"/> is killed and the spec fails.
    /// </summary>
    internal static async Task<BufferedCommandResult> ProcessAsync(
        string program,
        IEnumerable<string> args,
        Func<Command, Command>? configure = null)
    {
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var command = Cli.Wrap(program)
            .WithArguments(args)
            .WithWorkingDirectory(Repo.Root)
            .WithValidation(CommandResultValidation.None);
        if (configure is not null)
        {
            command = configure(command);
        }
        return await command.ExecuteBufferedAsync(cts.Token);
    }

    /// <summary>
    /// Asserts the exit status and, when it differs, shows both streams: a spec that fails
    /// because the launcher refused (exit 125, 2) says why in the launcher's own words.
    /// </summary>
    internal static void AssertExit(int expected, BufferedCommandResult result)
    {
        if (result.ExitCode != expected)
        {
            Assert.Fail(Describe($"exit {result.ExitCode}, expected {expected}", result));
        }
    }

    internal static string Describe(string what, BufferedCommandResult result)
    {
        var text = new StringBuilder(what);
        text.Append("\n--- stdout ---\n").Append(Trim(result.StandardOutput));
        text.Append("\n--- stderr ---\n").Append(Trim(result.StandardError));
        return text.ToString();
    }

    private static string Trim(string text) => text.Length <= 4000 ? text : text[..4000] + "\n[...]";

    /// <summary>The first program of that name on PATH, as execvp would find it; null when none.</summary>
    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Like <see cref="FindOnPath"/>, but skips the calling spec when the program is not installed.</summary>
    internal static string Require(string name)
    {
        var path = FindOnPath(name);
        Skip.If(path is null, $"{name} is not installed here");
        return path!;
    }
}
