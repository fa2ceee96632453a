using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>The running kernel's version, as moby's minKernel check reads it (uname release).</summary>
internal static class HostKernel
{
    private static readonly Lazy<KernelVersion> Cached = new(Read);

    internal static KernelVersion Version => Cached.Value;

    private static KernelVersion Read()
    {
        // /proc/sys/kernel/osrelease is uname(2)'s release field.
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return KernelVersion.TryParseRelease(release, out var v) ? v : new KernelVersion(0, 0);
    }
}
