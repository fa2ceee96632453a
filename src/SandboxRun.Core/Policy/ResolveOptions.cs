using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// What a profile is judged against besides itself: the capability set and kernel that
/// <c>includes/excludes</c> test, and the ENOSYS mode.
/// </summary>
internal sealed record ResolveOptions(Capabilities Caps, KernelVersion Kernel, EnosysMode Enosys = EnosysMode.Runc)
{
    /// <summary>Docker's capabilities, the running kernel, runc's stub.</summary>
    internal static ResolveOptions Default => new(Capabilities.Docker, HostKernel.Version);
}
