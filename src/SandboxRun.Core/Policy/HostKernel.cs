using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>The running kernel's version, as moby's minKernel check reads it (uname release).</summary>
internal static class HostKernel
{
    private static readonly Lazy<KernelVersion> Cached = new(Read);

    internal static KernelVersion Version => Cached.Value;

    private static KernelVersion Read()
    {
        // uname(2) itself: one syscall, where reading /proc/sys/kernel/osrelease through
        // File cost ~0.3 ms of a cold launch (the runtime's file machinery starting up).
        var release = Interop.Interop.Libc.UnameRelease() ?? "";
        return KernelVersion.TryParseRelease(release, out var v) ? v : new KernelVersion(0, 0);
    }
}
