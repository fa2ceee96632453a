using System.CommandLine;
using SandboxRun.Errors;

namespace SandboxRun.Commands;

/// <summary>
/// The command line (SPEC.md §2), built with System.CommandLine: GNU-style long options,
/// <c>--help</c> on every command, <c>--version</c>. A usage error is one line on stderr
/// and exit 2, like every other user error.
/// </summary>
internal static class Cli
{
    internal static int Run(string[] args)
    {
        if (RunFastPath.TryParse(args, out var options, out var command))
        {
            RunCommand.Run(options, command);
            return ExitCodes.RunFailed; // Run returns only by throwing
        }
        var root = new RootCommand("sandboxrun: run a program under a Docker-format seccomp profile, without Docker.\n  sandboxrun [run] [--profile P]... [options] -- COMMAND [ARG]...")
        {
            RunCommand.Create(),
            CompileCommand.Create(),
            CheckCommand.Create(),
            ProfilesCommand.Create(),
            GenerateCommand.Create(),
            RecordCommand.Create(),
            LintCommand.Create(),
            DiffCommand.Create(),
            DeriveCommand.Create(),
            ExportCommand.Create(),
        };
        // `sandboxrun [options] -- COMMAND` is `run`: the root takes run's options and action.
        RunCommand.Configure(root);
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new UsageException(OneLine(result.Errors[0].Message) + " (see sandboxrun --help)");
        }
        return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>A usage error is one line: System.CommandLine's lists become comma-separated.</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length <= 1 ? message.Trim() : lines[0] + " " + string.Join(", ", lines[1..]);
    }
}
