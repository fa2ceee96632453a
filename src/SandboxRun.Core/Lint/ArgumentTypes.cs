namespace SandboxRun.Lint;

/// <summary>
/// The C types of the arguments that profiles filter on, from the kernel's SYSCALL_DEFINEs.
/// An <c>int</c> or <c>unsigned int</c> argument arrives in a 64-bit register, and the
/// kernel reads its low 32 bits only; a 64-bit comparison of the whole register sees high
/// bits the kernel ignores. <see cref="Range"/> is the set of values the kernel accepts at
/// all, where it is small (socket's family: below AF_MAX), so a fix can list them.
/// </summary>
internal static class ArgumentTypes
{
    internal sealed record ArgType(string CType, int Bits, string Meaning, (ulong First, ulong Last)? Range = null);

    /// <summary>AF_MAX in include/linux/socket.h (Linux 6.x: AF_MCTP is 45).</summary>
    internal const ulong AfMax = 46;

    private static readonly Dictionary<(string, int), ArgType> Table = new()
    {
        [("socket", 0)] = new("int", 32, "family", (0, AfMax - 1)),
        [("socket", 1)] = new("int", 32, "type"),
        [("socket", 2)] = new("int", 32, "protocol"),
        [("socketpair", 0)] = new("int", 32, "family", (0, AfMax - 1)),
        [("socketpair", 1)] = new("int", 32, "type"),
        [("socketpair", 2)] = new("int", 32, "protocol"),
        [("personality", 0)] = new("unsigned int", 32, "persona"),
        [("clone", 0)] = new("unsigned long", 64, "flags"),
        [("clone", 1)] = new("unsigned long", 64, "newsp"),
        [("unshare", 0)] = new("unsigned long", 64, "flags"),
        [("setns", 1)] = new("int", 32, "nstype"),
        [("ioctl", 0)] = new("unsigned int", 32, "fd"),
        [("ioctl", 1)] = new("unsigned int", 32, "cmd"),
        [("ioctl", 2)] = new("unsigned long", 64, "arg"),
        [("prctl", 0)] = new("int", 32, "option"),
        [("prctl", 1)] = new("unsigned long", 64, "arg2"),
        [("arch_prctl", 0)] = new("int", 32, "option"),
        [("fcntl", 1)] = new("unsigned int", 32, "cmd"),
        [("kill", 1)] = new("int", 32, "sig"),
        [("tgkill", 2)] = new("int", 32, "sig"),
        [("setsockopt", 1)] = new("int", 32, "level"),
        [("setsockopt", 2)] = new("int", 32, "optname"),
        [("getsockopt", 1)] = new("int", 32, "level"),
        [("getsockopt", 2)] = new("int", 32, "optname"),
        [("bpf", 0)] = new("int", 32, "cmd"),
        [("seccomp", 0)] = new("unsigned int", 32, "operation"),
        [("seccomp", 1)] = new("unsigned int", 32, "flags"),
        [("keyctl", 0)] = new("int", 32, "option"),
        [("madvise", 2)] = new("int", 32, "behavior"),
        [("mprotect", 2)] = new("unsigned long", 64, "prot"),
        [("mmap", 2)] = new("unsigned long", 64, "prot"),
        [("mmap", 3)] = new("unsigned long", 64, "flags"),
        [("kcmp", 2)] = new("int", 32, "type"),
        [("quotactl", 0)] = new("unsigned int", 32, "cmd"),
        [("sync_file_range", 3)] = new("unsigned int", 32, "flags"),
        [("openat", 2)] = new("int", 32, "flags"),
        [("open", 1)] = new("int", 32, "flags"),
        [("perf_event_open", 4)] = new("unsigned long", 64, "flags"),
        [("ptrace", 0)] = new("long", 64, "request"),
        [("socketcall", 0)] = new("int", 32, "call"),
        [("ipc", 0)] = new("unsigned int", 32, "call"),
        [("mount", 3)] = new("unsigned long", 64, "flags"),
        [("umount2", 1)] = new("int", 32, "flags"),
        [("setuid", 0)] = new("uid_t", 32, "uid"),
        [("setgid", 0)] = new("gid_t", 32, "gid"),
        [("clock_settime", 0)] = new("clockid_t (int)", 32, "which_clock"),
        [("futex", 1)] = new("int", 32, "op"),
    };

    internal static ArgType? Find(string syscall, int index) => Table.GetValueOrDefault((syscall, index));

    /// <summary>The address families, for messages (include/linux/socket.h).</summary>
    private static readonly string[] Families =
    [
        "AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
        "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY",
        "AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA",
        "AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH",
        "AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC",
        "AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC", "AF_XDP", "AF_MCTP",
    ];

    /// <summary>" (AF_ALG)" for a socket family, "" otherwise.</summary>
    internal static string NameOf(string syscall, int index, ulong value) =>
        syscall is "socket" or "socketpair" && index == 0 && value < (ulong)Families.Length ? $" ({Families[value]})" : "";
}
