namespace SandboxRun.Errors;

/// <summary>
/// A failure the user caused or can fix: Program.Main prints <see cref="Exception.Message"/>
/// as one line and exits with <see cref="ExitCode"/>. Bugs are other exception types and
/// are never caught.
/// </summary>
internal abstract class SandboxRunException(string message, int exitCode) : Exception(message)
{
    internal int ExitCode { get; } = exitCode;
}
