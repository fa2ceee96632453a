namespace SandboxRun.Policy;

/// <summary>
/// i386's multiplexed socket and IPC calls. Before Linux 4.3 (sockets) and 5.1 (IPC) an
/// i386 program reached them only through socketcall(2)/ipc(2) with the call number in the
/// first argument; libseccomp (arch-x86.c) therefore turns a rule for <c>socket</c> on x86
/// into two: <c>socketcall(a0 == SYS_SOCKET)</c> and the direct <c>socket</c>. The call
/// numbers are SYS_* of linux/net.h and the IPC numbers of linux/ipc.h.
/// </summary>
internal static class X86Multiplexer
{
    internal readonly record struct Entry(string Name, uint Syscall, uint Call);

    /// <summary>socketcall and ipc on i386 (arch/x86/entry/syscalls/syscall_32.tbl).</summary>
    private const uint Socketcall = 102;
    private const uint Ipc = 117;

    private static readonly Dictionary<string, Entry> Calls = new(StringComparer.Ordinal)
    {
        ["socket"] = new("socketcall", Socketcall, 1),
        ["bind"] = new("socketcall", Socketcall, 2),
        ["connect"] = new("socketcall", Socketcall, 3),
        ["listen"] = new("socketcall", Socketcall, 4),
        ["accept"] = new("socketcall", Socketcall, 5),
        ["getsockname"] = new("socketcall", Socketcall, 6),
        ["getpeername"] = new("socketcall", Socketcall, 7),
        ["socketpair"] = new("socketcall", Socketcall, 8),
        ["send"] = new("socketcall", Socketcall, 9),
        ["recv"] = new("socketcall", Socketcall, 10),
        ["sendto"] = new("socketcall", Socketcall, 11),
        ["recvfrom"] = new("socketcall", Socketcall, 12),
        ["shutdown"] = new("socketcall", Socketcall, 13),
        ["setsockopt"] = new("socketcall", Socketcall, 14),
        ["getsockopt"] = new("socketcall", Socketcall, 15),
        ["sendmsg"] = new("socketcall", Socketcall, 16),
        ["recvmsg"] = new("socketcall", Socketcall, 17),
        ["accept4"] = new("socketcall", Socketcall, 18),
        ["recvmmsg"] = new("socketcall", Socketcall, 19),
        ["sendmmsg"] = new("socketcall", Socketcall, 20),
        ["semop"] = new("ipc", Ipc, 1),
        ["semget"] = new("ipc", Ipc, 2),
        ["semctl"] = new("ipc", Ipc, 3),
        ["semtimedop"] = new("ipc", Ipc, 4),
        ["msgsnd"] = new("ipc", Ipc, 11),
        ["msgrcv"] = new("ipc", Ipc, 12),
        ["msgget"] = new("ipc", Ipc, 13),
        ["msgctl"] = new("ipc", Ipc, 14),
        ["shmat"] = new("ipc", Ipc, 21),
        ["shmdt"] = new("ipc", Ipc, 22),
        ["shmget"] = new("ipc", Ipc, 23),
        ["shmctl"] = new("ipc", Ipc, 24),
    };

    internal static Entry? Find(string name) => Calls.TryGetValue(name, out var e) ? e : null;
}
