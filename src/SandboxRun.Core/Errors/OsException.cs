namespace SandboxRun.Errors;

/// <summary>A system call failed before the target started: exit 125, as `docker run` does.</summary>
internal sealed class OsException(string message, int errno, int exitCode = ExitCodes.RunFailed)
    : SandboxRunException(message, exitCode)
{
    internal int Errno { get; } = errno;
}
