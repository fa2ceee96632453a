namespace SandboxRun.Lint;

/// <summary>
/// Why Docker's default profile leaves a syscall out, in short, after the table of Docker's
/// documentation ("Significant syscalls blocked by the default profile"); the capability
/// that also guards it, where there is one.
/// </summary>
internal static class DockerReasons
{
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["acct"] = "process accounting could switch off the container's own accounting or limits (also CAP_SYS_PACCT)",
        ["add_key"] = "the kernel keyring is not namespaced",
        ["keyctl"] = "the kernel keyring is not namespaced",
        ["request_key"] = "the kernel keyring is not namespaced",
        ["bpf"] = "loads possibly persistent BPF programs into the kernel (also CAP_SYS_ADMIN)",
        ["clock_adjtime"] = "time is not namespaced (also CAP_SYS_TIME)",
        ["clock_settime"] = "time is not namespaced (also CAP_SYS_TIME)",
        ["settimeofday"] = "time is not namespaced (also CAP_SYS_TIME)",
        ["stime"] = "time is not namespaced (also CAP_SYS_TIME)",
        ["clone"] = "creates namespaces (CLONE_NEW* flags; also CAP_SYS_ADMIN, except CLONE_NEWUSER)",
        ["unshare"] = "creates namespaces (also CAP_SYS_ADMIN, except for a user namespace)",
        ["setns"] = "joins another namespace (also CAP_SYS_ADMIN)",
        ["create_module"] = "kernel modules (obsolete; also CAP_SYS_MODULE)",
        ["delete_module"] = "kernel modules (also CAP_SYS_MODULE)",
        ["finit_module"] = "kernel modules (also CAP_SYS_MODULE)",
        ["init_module"] = "kernel modules (also CAP_SYS_MODULE)",
        ["get_kernel_syms"] = "reads exported kernel and module symbols (obsolete)",
        ["query_module"] = "kernel modules (obsolete)",
        ["get_mempolicy"] = "NUMA memory policy of the kernel (also CAP_SYS_NICE)",
        ["set_mempolicy"] = "NUMA memory policy of the kernel (also CAP_SYS_NICE)",
        ["mbind"] = "NUMA memory policy of the kernel (also CAP_SYS_NICE)",
        ["move_pages"] = "NUMA memory policy of the kernel",
        ["ioperm"] = "changes I/O privilege levels (also CAP_SYS_RAWIO)",
        ["iopl"] = "changes I/O privilege levels (also CAP_SYS_RAWIO)",
        ["kcmp"] = "inspects other processes (also CAP_SYS_PTRACE)",
        ["process_vm_readv"] = "inspects other processes (also CAP_SYS_PTRACE)",
        ["process_vm_writev"] = "inspects other processes (also CAP_SYS_PTRACE)",
        ["ptrace"] = "tracing can leak much of the host (also CAP_SYS_PTRACE)",
        ["kexec_file_load"] = "loads a new kernel (also CAP_SYS_BOOT)",
        ["kexec_load"] = "loads a new kernel (also CAP_SYS_BOOT)",
        ["reboot"] = "reboots the host (also CAP_SYS_BOOT)",
        ["lookup_dcookie"] = "tracing and profiling can leak much of the host (also CAP_SYS_ADMIN)",
        ["perf_event_open"] = "tracing and profiling can leak much of the host",
        ["mount"] = "mounts (also CAP_SYS_ADMIN)",
        ["umount"] = "unmounts (also CAP_SYS_ADMIN)",
        ["umount2"] = "unmounts (also CAP_SYS_ADMIN)",
        ["pivot_root"] = "changes the root mount (privileged)",
        ["swapon"] = "swap devices (also CAP_SYS_ADMIN)",
        ["swapoff"] = "swap devices (also CAP_SYS_ADMIN)",
        ["name_to_handle_at"] = "file handles (also CAP_DAC_READ_SEARCH)",
        ["open_by_handle_at"] = "file handles: the cause of an old container breakout (also CAP_DAC_READ_SEARCH)",
        ["nfsservctl"] = "the kernel NFS daemon (removed in Linux 3.1)",
        ["personality"] = "other personalities (BSD emulation, …) are little tested kernel code",
        ["quotactl"] = "quotas could switch off the container's own limits (also CAP_SYS_ADMIN)",
        ["socket"] = "only the families AF_UNIX, AF_INET, AF_INET6, AF_NETLINK and AF_PACKET (and others by caps) are allowed",
        ["socketcall"] = "only the families AF_UNIX, AF_INET, AF_INET6, AF_NETLINK and AF_PACKET (and others by caps) are allowed",
        ["sysfs"] = "obsolete",
        ["_sysctl"] = "obsolete; /proc/sys replaces it",
        ["uselib"] = "obsolete shared-library call",
        ["userfaultfd"] = "userspace page-fault handling, a tool of kernel exploits",
        ["ustat"] = "obsolete",
        ["vm86"] = "in-kernel x86 real mode (also CAP_SYS_ADMIN)",
        ["vm86old"] = "in-kernel x86 real mode (also CAP_SYS_ADMIN)",
    };

    internal static bool Has(string name) => Reasons.ContainsKey(name);

    internal static string For(string name) => Reasons.GetValueOrDefault(name) ?? "not on Docker's allow-list";

    internal static IEnumerable<string> Names => Reasons.Keys.Order(StringComparer.Ordinal);
}
