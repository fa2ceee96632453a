namespace SandboxRun.Errors;

/// <summary>`run` could not start the command: exit 125, whatever the cause.</summary>
internal sealed class RunFailedException(string message) : SandboxRunException(message, ExitCodes.RunFailed);
