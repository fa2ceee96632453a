namespace SandboxRun.Profiles;

/// <summary>
/// A rule's <c>includes</c> or <c>excludes</c> object: Go arch names (amd64, arm64),
/// capability names, and a minimum kernel.
/// </summary>
internal sealed record RuleFilter(
    IReadOnlyList<string> Arches,
    IReadOnlyList<string> Caps,
    KernelVersion? MinKernel)
{
    internal static RuleFilter Empty { get; } = new([], [], null);

    internal bool IsEmpty => Arches.Count == 0 && Caps.Count == 0 && MinKernel is null;
}
