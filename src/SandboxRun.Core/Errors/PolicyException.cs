namespace SandboxRun.Errors;

/// <summary>
/// A profile that reads well but cannot become a filter: a conflict libseccomp refuses,
/// a program beyond the kernel's limits.
/// </summary>
internal sealed class PolicyException(string message, int exitCode = ExitCodes.Usage)
    : SandboxRunException(message, exitCode);
