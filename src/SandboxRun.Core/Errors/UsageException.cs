namespace SandboxRun.Errors;

/// <summary>A bad command line: unknown option, missing argument, bad value.</summary>
internal sealed class UsageException(string message, int exitCode = ExitCodes.Usage)
    : SandboxRunException(message, exitCode);
