using System.Globalization;
using System.Text;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// Seeded random Docker-format profiles that reach every corner the engine has: all
/// actions (with errnoRet), all operators, 64-bit values, repeated argument indices (runc's
/// split), conflicting rules, rules equal to the default, names some arches lack, the i386
/// socket and IPC calls, includes/excludes on caps, arches and kernels, both arch forms.
/// </summary>
internal static class RandomProfiles
{
    private static readonly string[] Names =
    [
        "read", "write", "close", "openat", "open", "stat", "fork", "renameat", "mmap", "mprotect",
        "personality", "clone", "clone3", "ioctl", "prctl", "ptrace", "kill", "getpid", "exit_group",
        "socket", "bind", "connect", "accept", "accept4", "send", "recvmmsg", "sendmmsg", "setsockopt",
        "shmget", "semop", "semtimedop", "msgrcv", "socketcall", "ipc", "_llseek", "time", "arch_prctl",
        "breakpoint", "cacheflush", "set_tls", "sync_file_range2", "mseal", "statmount", "fchmodat2",
        "futex_requeue", "io_uring_setup", "close_range", "faccessat2", "no_such_call", "uselib",
    ];

    private static readonly string[] Actions =
    [
        "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
    ];

    private static readonly string[] Ops =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ];

    private static readonly ulong[] Values =
    [
        0, 1, 2, 8, 38, 40, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000026,
        0xffffffff00000000, 0x8000000000000000, ulong.MaxValue, 0x7e020000, 0x20008, 0x1234567890,
    ];

    private static readonly string[] Caps = ["CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE", "CAP_CHOWN", "CAP_BPF"];

    internal static string Generate(int seed)
    {
        var rng = new Random(seed);
        var json = new StringBuilder();
        json.Append('{');
        var defaultAction = Pick(rng, Actions);
        json.Append(CultureInfo.InvariantCulture, $"\"defaultAction\":\"{defaultAction}\"");
        if (rng.Next(3) == 0)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"defaultErrnoRet\":{Pick(rng, new[] { 1, 38, 13, 0 })}");
        }
        switch (rng.Next(4))
        {
            case 0:
                json.Append(",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
                break;
            case 1:
                json.Append(",\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}]");
                break;
            case 2:
                json.Append(",\"architectures\":[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_X86\"]");
                break;
        }
        json.Append(",\"syscalls\":[");
        var rules = rng.Next(1, 14);
        for (var r = 0; r < rules; r++)
        {
            if (r > 0)
            {
                json.Append(',');
            }
            json.Append("{\"names\":[");
            var count = rng.Next(1, 4);
            json.Append(string.Join(",", Enumerable.Range(0, count).Select(_ => $"\"{Pick(rng, Names)}\"")));
            json.Append("],");
            var action = rng.Next(4) == 0 ? defaultAction : Pick(rng, Actions);
            json.Append(CultureInfo.InvariantCulture, $"\"action\":\"{action}\"");
            if (rng.Next(2) == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"errnoRet\":{Pick(rng, new[] { 1, 38, 95, 4094, 0 })}");
            }
            var args = rng.Next(3) == 0 ? 0 : rng.Next(0, 4);
            if (args > 0)
            {
                json.Append(",\"args\":[");
                for (var a = 0; a < args; a++)
                {
                    if (a > 0)
                    {
                        json.Append(',');
                    }
                    var index = rng.Next(4) == 0 ? 0 : rng.Next(0, 6);
                    json.Append(CultureInfo.InvariantCulture, $"{{\"index\":{index},\"value\":{Pick(rng, Values)},\"valueTwo\":{Pick(rng, Values)},\"op\":\"{Pick(rng, Ops)}\"}}");
                }
                json.Append(']');
            }
            if (rng.Next(5) == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"includes\":{{\"caps\":[\"{Pick(rng, Caps)}\"]}}");
            }
            if (rng.Next(6) == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"excludes\":{{\"arches\":[\"{Pick(rng, new[] { "amd64", "arm64" })}\"],\"minKernel\":\"{Pick(rng, new[] { "4.8", "5.10", "6.20" })}\"}}");
            }
            if (rng.Next(6) == 0)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"includes\":{{\"minKernel\":\"{Pick(rng, new[] { "4.8", "6.18", "7.0" })}\"}}");
            }
            json.Append('}');
        }
        json.Append("]}");
        return json.ToString();
    }

    private static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];
}
