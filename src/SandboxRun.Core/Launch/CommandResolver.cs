using SandboxRun.Errors;
using SandboxRun.Interop;

namespace SandboxRun.Launch;

/// <summary>
/// Finds the program to run as env(1) does (execvp): a name with a slash is used as given;
/// otherwise each PATH entry is tried in order (an empty entry is the current directory;
/// no PATH means /bin:/usr/bin, glibc's default). A file found but not executable is
/// remembered and reported only when no later entry has an executable one.
/// Messages and exit codes follow env(1): 127 not found, 126 found but not executable.
/// </summary>
internal static class CommandResolver
{
    internal static string Resolve(string command)
    {
        if (command.Length == 0)
        {
            throw new UsageException("'': No such file or directory", ExitCodes.NotFound);
        }
        if (command.Contains('/'))
        {
            Check(command);
            return command;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/bin:/usr/bin";
        string? denied = null;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, command);
            if (!File.Exists(candidate))
            {
                continue;
            }
            if (Interop.Interop.Libc.Access(candidate, Interop.Interop.Libc.X_OK) == 0)
            {
                return candidate;
            }
            denied ??= candidate;
        }
        if (denied is not null)
        {
            throw new UsageException($"'{command}': Permission denied", ExitCodes.CannotExecute);
        }
        throw new UsageException($"'{command}': No such file or directory", ExitCodes.NotFound);
    }

    private static void Check(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"'{path}': Permission denied", ExitCodes.CannotExecute);
        }
        if (!File.Exists(path))
        {
            throw new UsageException($"'{path}': No such file or directory", ExitCodes.NotFound);
        }
        if (Interop.Interop.Libc.Access(path, Interop.Interop.Libc.X_OK) != 0)
        {
            var errno = Errno.Last;
            throw new UsageException($"'{path}': {errno.Message}", ExitCodes.CannotExecute);
        }
    }
}
