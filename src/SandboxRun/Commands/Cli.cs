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
        var root = new RootCommand("sandboxrun: run a program under a Docker-format seccomp profile, without Docker.")
        {
            CompileCommand.Create(),
            CheckCommand.Create(),
            ProfilesCommand.Create(),
        };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new UsageException(string.Join('\n', result.Errors.Select(e => e.Message)) + " (see sandboxrun --help)");
        }
        return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
