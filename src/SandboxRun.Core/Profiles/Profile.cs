namespace SandboxRun.Profiles;

/// <summary>
/// A Docker-format seccomp profile after reading and validation: every value is in range
/// and every name (action, operator, arch) is known. Syscall names are not checked here:
/// whether a name exists depends on the arch (PolicyResolver).
/// </summary>
internal sealed record Profile(
    string Source,
    SeccompAction DefaultAction,
    IReadOnlyList<string> Architectures,
    IReadOnlyList<ArchMapEntry> ArchMap,
    IReadOnlyList<SyscallRule> Syscalls,
    IReadOnlyList<string> Flags,
    string? ListenerPath,
    string? ListenerMetadata)
{
    /// <summary>Warnings found while reading (unknown fields, odd values), already located.</summary>
    internal IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>One <c>archMap</c> entry: a main arch and the compat arches that come with it.</summary>
internal sealed record ArchMapEntry(string Architecture, IReadOnlyList<string> SubArchitectures);
