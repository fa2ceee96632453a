namespace SandboxRun.Profiles;

/// <summary>
/// One entry of <c>syscalls[]</c>, as written: <see cref="Position"/> is its index in the
/// JSON array, which every explanation cites (<c>syscalls[3]</c>).
/// </summary>
internal sealed record SyscallRule(
    int Position,
    IReadOnlyList<string> Names,
    SeccompAction Action,
    IReadOnlyList<ArgCondition> Args,
    RuleFilter Includes,
    RuleFilter Excludes,
    string? Comment)
{
    internal string Path => $"syscalls[{Position}]";
}
