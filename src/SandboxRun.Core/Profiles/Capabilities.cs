using System.Globalization;

namespace SandboxRun.Profiles;

/// <summary>
/// A set of Linux capabilities, the thing moby judges <c>includes/excludes.caps</c> against
/// (the container's bounding set). Names and bit numbers from linux/capability.h.
/// </summary>
internal sealed record Capabilities(ulong Mask)
{
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Docker's 14 default capabilities (moby oci/caps/defaults.go).</summary>
    internal static Capabilities Docker { get; } = FromNames(
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    internal static Capabilities Full { get; } = new((1UL << Names.Length) - 1);

    internal static Capabilities None { get; } = new(0);

    internal static IEnumerable<string> All => Names;

    internal static bool IsKnown(string name) => System.Array.IndexOf(Names, name) >= 0;

    internal static Capabilities FromNames(params string[] names) =>
        new(names.Aggregate(0UL, (mask, n) => mask | Bit(n)));

    /// <summary>The bounding set of this process, as /proc/self/status shows it (CapBnd).</summary>
    internal static Capabilities Current()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                return new(ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & Full.Mask);
            }
        }
        return None;
    }

    /// <summary>moby compares names exactly (inSlice): <c>sys_admin</c> in a profile never matches.</summary>
    internal bool Has(string name)
    {
        var i = System.Array.IndexOf(Names, name);
        return i >= 0 && (Mask & (1UL << i)) != 0;
    }

    internal Capabilities Add(string name) => new(Mask | Bit(name));

    internal Capabilities Drop(string name) => new(Mask & ~Bit(name));

    internal IEnumerable<string> ToNames() => Names.Where((_, i) => (Mask & (1UL << i)) != 0);

    /// <summary>Accepts <c>CAP_SYS_ADMIN</c>, <c>SYS_ADMIN</c> and <c>sys_admin</c>, as docker --cap-add does.</summary>
    internal static string Normalize(string name)
    {
        var upper = name.ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    private static ulong Bit(string name)
    {
        var i = System.Array.IndexOf(Names, Normalize(name));
        return i < 0 ? 0 : 1UL << i;
    }

    public override string ToString() => string.Join(",", ToNames());

    /// <summary>The set in words for messages: "Docker's 14 default capabilities", or the names.</summary>
    internal string Describe() =>
        this == Docker ? "Docker's 14 default capabilities"
        : this == Full ? "every capability"
        : this == None ? "no capabilities"
        : ToString();
}
