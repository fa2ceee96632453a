namespace SandboxRun.Errors;

/// <summary>
/// A profile that cannot be used. Carries every problem found, each already formatted as
/// <c>file: json.path: what (hint)</c>; the message is their lines joined.
/// </summary>
internal sealed class ProfileException(IReadOnlyList<string> problems, int exitCode = ExitCodes.Usage)
    : SandboxRunException(string.Join('\n', problems), exitCode)
{
    internal IReadOnlyList<string> Problems { get; } = problems;
}
