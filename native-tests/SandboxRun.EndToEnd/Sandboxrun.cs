using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>Runs the real <c>out/sandboxrun</c> binary as a child process.</summary>
internal static class Sandboxrun
{
    /// <summary>Every process a spec starts is killed after this long: a hang fails, it never blocks the run.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Skips the calling spec when scripts/build has not been run.</summary>
    internal static void SkipIfMissing() =>
        Skip.IfNot(File.Exists(Repo.Binary), $"{Repo.Binary} is missing: run scripts/build first (scripts/test does)");

    internal static Task<BufferedCommandResult> RunAsync(params string[] args)
    {
        SkipIfMissing();
        return RunProcessAsync(Repo.Binary, args);
    }

    /// <summary>Runs any program to its end and buffers its output; a non-zero exit is a result, not an exception.</summary>
    internal static async Task<BufferedCommandResult> RunProcessAsync(string program, IEnumerable<string> args)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await CliWrap.Cli.Wrap(program)
            .WithArguments(args)
            .WithWorkingDirectory(Repo.Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cts.Token);
    }

    /// <summary>The lines of a stream's text, without the empty one after the last newline.</summary>
    internal static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
