namespace SandboxRun.Errors;

/// <summary>
/// Exit statuses, as SPEC.md §2 fixes them. `run` follows env(1) and `docker run`
/// (125/126/127); every other command answers 0 (yes/clean/equal), 1 (the negative
/// answer) or 2 (usage error, invalid profile).
/// </summary>
internal static class ExitCodes
{
    internal const int Success = 0;
    internal const int Negative = 1;
    internal const int Usage = 2;

    /// <summary>sandboxrun itself failed before the target started.</summary>
    internal const int RunFailed = 125;

    /// <summary>The command was found but could not be executed.</summary>
    internal const int CannotExecute = 126;

    /// <summary>The command was not found.</summary>
    internal const int NotFound = 127;
}
