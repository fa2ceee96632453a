using System.Globalization;
using System.Text;
using SandboxRun.Profiles;

namespace SandboxRun.Recording;

/// <summary>
/// A notified call as strace would print it: <c>openat(AT_FDCWD, "/etc/shadow", O_RDONLY)</c>.
/// Paths and other strings are read from the stopped task; fds, flags of open, socket,
/// clone, unshare, mmap and mprotect are named; a syscall without a known signature gets its
/// six arguments in hex. See <see cref="Signatures"/> for what is decoded.
/// </summary>
internal static class CallFormatter
{
    /// <summary>How one argument is shown.</summary>
    private enum Kind
    {
        Int,
        Hex,
        Ptr,
        Fd,
        DirFd,
        Path,
        OpenFlags,
        Mode,
        AtFlags,
        CloneFlags,
        Domain,
        SockType,
        Prot,
        MapFlags,
        Signal,
    }

    private static readonly Dictionary<string, Kind[]> Signatures = Build();

    private static Dictionary<string, Kind[]> Build()
    {
        // Argument kinds by syscall name, as the kernel declares them (include/linux/syscalls.h).
        var table = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["open"] = "path oflags mode",
            ["openat"] = "dirfd path oflags mode",
            ["openat2"] = "dirfd path ptr int",
            ["creat"] = "path mode",
            ["read"] = "fd ptr int",
            ["write"] = "fd ptr int",
            ["pread64"] = "fd ptr int int",
            ["pwrite64"] = "fd ptr int int",
            ["close"] = "fd",
            ["stat"] = "path ptr",
            ["lstat"] = "path ptr",
            ["fstat"] = "fd ptr",
            ["newfstatat"] = "dirfd path ptr atflags",
            ["fstatat64"] = "dirfd path ptr atflags",
            ["statx"] = "dirfd path atflags hex ptr",
            ["access"] = "path int",
            ["faccessat"] = "dirfd path int",
            ["faccessat2"] = "dirfd path int atflags",
            ["execve"] = "path ptr ptr",
            ["execveat"] = "dirfd path ptr ptr atflags",
            ["mkdir"] = "path mode",
            ["mkdirat"] = "dirfd path mode",
            ["rmdir"] = "path",
            ["unlink"] = "path",
            ["unlinkat"] = "dirfd path atflags",
            ["rename"] = "path path",
            ["renameat"] = "dirfd path dirfd path",
            ["renameat2"] = "dirfd path dirfd path hex",
            ["link"] = "path path",
            ["linkat"] = "dirfd path dirfd path atflags",
            ["symlink"] = "path path",
            ["symlinkat"] = "path dirfd path",
            ["readlink"] = "path ptr int",
            ["readlinkat"] = "dirfd path ptr int",
            ["chdir"] = "path",
            ["fchdir"] = "fd",
            ["chroot"] = "path",
            ["pivot_root"] = "path path",
            ["chmod"] = "path mode",
            ["fchmod"] = "fd mode",
            ["fchmodat"] = "dirfd path mode",
            ["chown"] = "path int int",
            ["lchown"] = "path int int",
            ["fchown"] = "fd int int",
            ["fchownat"] = "dirfd path int int atflags",
            ["truncate"] = "path int",
            ["ftruncate"] = "fd int",
            ["mount"] = "path path path hex ptr",
            ["umount2"] = "path hex",
            ["swapon"] = "path hex",
            ["swapoff"] = "path",
            ["acct"] = "path",
            ["unshare"] = "clone",
            ["setns"] = "fd clone",
            ["clone"] = "clone ptr ptr ptr ptr",
            ["clone3"] = "ptr int",
            ["socket"] = "domain socktype int",
            ["socketpair"] = "domain socktype int ptr",
            ["connect"] = "fd ptr int",
            ["bind"] = "fd ptr int",
            ["listen"] = "fd int",
            ["accept"] = "fd ptr ptr",
            ["accept4"] = "fd ptr ptr hex",
            ["sendto"] = "fd ptr int hex ptr int",
            ["recvfrom"] = "fd ptr int hex ptr ptr",
            ["setsockopt"] = "fd int int ptr int",
            ["getsockopt"] = "fd int int ptr ptr",
            ["mmap"] = "ptr int prot mapflags fd hex",
            ["mmap2"] = "ptr int prot mapflags fd hex",
            ["mprotect"] = "ptr int prot",
            ["pkey_mprotect"] = "ptr int prot int",
            ["munmap"] = "ptr int",
            ["ioctl"] = "fd hex ptr",
            ["fcntl"] = "fd int hex",
            ["dup"] = "fd",
            ["dup2"] = "fd fd",
            ["dup3"] = "fd fd hex",
            ["kill"] = "int signal",
            ["tkill"] = "int signal",
            ["tgkill"] = "int int signal",
            ["ptrace"] = "int int ptr ptr",
            ["personality"] = "hex",
            ["reboot"] = "hex hex hex ptr",
            ["getpid"] = "",
            ["getuid"] = "",
            ["sethostname"] = "ptr int",
            ["setuid"] = "int",
            ["setgid"] = "int",
            ["bpf"] = "int ptr int",
            ["perf_event_open"] = "ptr int int fd hex",
            ["keyctl"] = "int hex hex hex hex",
            ["add_key"] = "path path ptr int int",
            ["init_module"] = "ptr int path",
            ["finit_module"] = "fd path hex",
            ["delete_module"] = "path hex",
            ["umask"] = "mode",
            ["utimensat"] = "dirfd path ptr atflags",
            ["fchmodat2"] = "dirfd path mode atflags",
            ["getdents64"] = "fd ptr int",
            ["lseek"] = "fd int int",
            ["fsync"] = "fd",
            ["sendmsg"] = "fd ptr hex",
            ["recvmsg"] = "fd ptr hex",
            ["pipe2"] = "ptr hex",
            ["getcwd"] = "ptr int",
            ["sched_setaffinity"] = "int int ptr",
            ["setpriority"] = "int int int",
            ["wait4"] = "int ptr hex ptr",
            ["waitid"] = "int int ptr hex ptr",
            ["exit"] = "int",
            ["exit_group"] = "int",
        };
        var kinds = new Dictionary<string, Kind[]>(StringComparer.Ordinal);
        foreach (var (name, spec) in table)
        {
            kinds[name] = [.. spec.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(KindOf)];
        }
        return kinds;
    }

    private static Kind KindOf(string word) =>
        word switch
        {
            "int" => Kind.Int,
            "hex" => Kind.Hex,
            "ptr" => Kind.Ptr,
            "fd" => Kind.Fd,
            "dirfd" => Kind.DirFd,
            "path" => Kind.Path,
            "oflags" => Kind.OpenFlags,
            "mode" => Kind.Mode,
            "atflags" => Kind.AtFlags,
            "clone" => Kind.CloneFlags,
            "domain" => Kind.Domain,
            "socktype" => Kind.SockType,
            "prot" => Kind.Prot,
            "mapflags" => Kind.MapFlags,
            "signal" => Kind.Signal,
            _ => throw new System.Diagnostics.UnreachableException(word),
        };

    /// <summary>
    /// <c>name(args)</c>. <paramref name="readString"/> reads a string from the task (null when
    /// it cannot, then the pointer is shown).
    /// </summary>
    internal static string Format(string name, Arch.Arch arch, ReadOnlySpan<ulong> args, Func<ulong, string?> readString)
    {
        var text = new StringBuilder(name).Append('(');
        if (Signatures.TryGetValue(name, out var kinds))
        {
            // strace's way: open's mode only when the flags create a file (O_CREAT, __O_TMPFILE).
            var count = kinds.Length;
            if (kinds[^1] == Kind.Mode && kinds.Length > 1 && kinds[^2] == Kind.OpenFlags && (args[count - 2] & (0x40 | 0x400000)) == 0)
            {
                count--;
            }
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }
                text.Append(Argument(kinds[i], arch, arch.Is64Bit ? args[i] : (uint)args[i], readString));
            }
        }
        else
        {
            for (var i = 0; i < 6; i++)
            {
                text.Append(i > 0 ? ", " : "").Append(Hex(args[i]));
            }
        }
        return text.Append(')').ToString();
    }

    private static string Argument(Kind kind, Arch.Arch arch, ulong v, Func<ulong, string?> readString) =>
        kind switch
        {
            Kind.Int => (long)v is >= -4096 and <= 1L << 40 ? ((long)v).ToString(CultureInfo.InvariantCulture) : Hex(v),
            Kind.Hex => Hex(v),
            Kind.Ptr => v == 0 ? "NULL" : Pointer(v),
            Kind.Fd => ((int)v).ToString(CultureInfo.InvariantCulture),
            Kind.DirFd => (int)v == AT_FDCWD ? "AT_FDCWD" : ((int)v).ToString(CultureInfo.InvariantCulture),
            Kind.Path => v == 0 ? "NULL" : readString(v) is { } str ? Quote(str) : Pointer(v),
            Kind.OpenFlags => OpenFlags(arch, v),
            Kind.Mode => (v & 0xffff) == 0 ? "0" : "0" + Convert.ToString((long)(v & 0xffff), 8),
            Kind.AtFlags => Flags(v, AtFlagNames, "0"),
            Kind.CloneFlags => CloneFlags(v),
            Kind.Domain => Domains.TryGetValue(v, out var d) ? d : v.ToString(CultureInfo.InvariantCulture),
            Kind.SockType => SockType(v),
            Kind.Prot => Flags(v, ProtNames, "PROT_NONE"),
            Kind.MapFlags => MapFlags(v),
            Kind.Signal => SignalName((int)v),
            _ => Hex(v),
        };

    private const int AT_FDCWD = -100;

    private static string Pointer(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    internal static string Hex(ulong v) => v < 10 ? v.ToString(CultureInfo.InvariantCulture) : "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A C string literal, as strace writes one.</summary>
    internal static string Quote(string s)
    {
        var text = new StringBuilder("\"");
        foreach (var c in s)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                < ' ' => $"\\{Convert.ToString(c, 8)}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    /// <summary>Names of the set bits, ORed; what is left in hex.</summary>
    private static string Flags(ulong v, (ulong Bit, string Name)[] names, string zero)
    {
        if (v == 0)
        {
            return zero;
        }
        var parts = new List<string>();
        foreach (var (bit, name) in names)
        {
            if (bit != 0 && (v & bit) == bit)
            {
                parts.Add(name);
                v &= ~bit;
            }
        }
        if (v != 0)
        {
            parts.Add(Hex(v));
        }
        return string.Join('|', parts);
    }

    // asm-generic/fcntl.h; aarch64 and arm move four of them (arch/arm64/include/uapi/asm/fcntl.h).
    private static readonly (ulong, string)[] OpenBitsX86 =
    [
        (0x410000, "O_TMPFILE"), (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x2000, "O_ASYNC"), (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"),
        (0x10000, "O_DIRECTORY"), (0x20000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"),
    ];

    private static readonly (ulong, string)[] OpenBitsArm =
    [
        (0x404000, "O_TMPFILE"), (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x2000, "O_ASYNC"), (0x10000, "O_DIRECT"), (0x20000, "O_LARGEFILE"),
        (0x4000, "O_DIRECTORY"), (0x8000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"),
    ];

    private static string OpenFlags(Arch.Arch arch, ulong v)
    {
        var access = (v & 3) switch
        {
            0 => "O_RDONLY",
            1 => "O_WRONLY",
            2 => "O_RDWR",
            _ => "O_ACCMODE",
        };
        var rest = Flags(v & ~3UL, arch == Arch.Arch.Aarch64 || arch == Arch.Arch.Arm ? OpenBitsArm : OpenBitsX86, "");
        return rest.Length == 0 ? access : access + "|" + rest;
    }

    private static readonly (ulong, string)[] AtFlagNames =
    [
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"), (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"),
    ];

    // linux/sched.h.
    private static readonly (ulong, string)[] CloneBits =
    [
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"), (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"), (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"), (0x10000, "CLONE_THREAD"), (0x20000, "CLONE_NEWNS"),
        (0x40000, "CLONE_SYSVSEM"), (0x80000, "CLONE_SETTLS"), (0x100000, "CLONE_PARENT_SETTID"), (0x200000, "CLONE_CHILD_CLEARTID"),
        (0x400000, "CLONE_DETACHED"), (0x800000, "CLONE_UNTRACED"), (0x1000000, "CLONE_CHILD_SETTID"), (0x2000000, "CLONE_NEWCGROUP"),
        (0x4000000, "CLONE_NEWUTS"), (0x8000000, "CLONE_NEWIPC"), (0x10000000, "CLONE_NEWUSER"), (0x20000000, "CLONE_NEWPID"),
        (0x40000000, "CLONE_NEWNET"), (0x80000000, "CLONE_IO"),
    ];

    private static string CloneFlags(ulong v)
    {
        var signal = (int)(v & 0xff);
        var flags = Flags(v & ~0xffUL, CloneBits, "");
        var sig = signal == 0 ? "" : SignalName(signal);
        return (flags, sig) switch
        {
            ("", "") => "0",
            ("", _) => sig,
            (_, "") => flags,
            _ => flags + "|" + sig,
        };
    }

    private static readonly Dictionary<ulong, string> Domains = new()
    {
        [1] = "AF_UNIX", [2] = "AF_INET", [4] = "AF_IPX", [5] = "AF_APPLETALK", [9] = "AF_X25", [10] = "AF_INET6", [16] = "AF_NETLINK",
        [17] = "AF_PACKET", [31] = "AF_BLUETOOTH", [38] = "AF_ALG", [40] = "AF_VSOCK", [44] = "AF_XDP",
    };

    private static string SockType(ulong v)
    {
        var type = (v & 0xf) switch
        {
            1 => "SOCK_STREAM",
            2 => "SOCK_DGRAM",
            3 => "SOCK_RAW",
            4 => "SOCK_RDM",
            5 => "SOCK_SEQPACKET",
            10 => "SOCK_PACKET",
            var t => t.ToString(CultureInfo.InvariantCulture),
        };
        var rest = Flags(v & ~0xfUL, [(0x800, "SOCK_NONBLOCK"), (0x80000, "SOCK_CLOEXEC")], "");
        return rest.Length == 0 ? type : type + "|" + rest;
    }

    private static readonly (ulong, string)[] ProtNames =
    [
        (1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (8, "PROT_SEM"), (0x01000000, "PROT_GROWSDOWN"), (0x02000000, "PROT_GROWSUP"),
    ];

    private static string MapFlags(ulong v)
    {
        var type = (v & 3) switch
        {
            1 => "MAP_SHARED",
            2 => "MAP_PRIVATE",
            3 => "MAP_SHARED_VALIDATE",
            _ => "0",
        };
        var rest = Flags(v & ~3UL,
        [
            (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"), (0x1000, "MAP_EXECUTABLE"),
            (0x2000, "MAP_LOCKED"), (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"), (0x10000, "MAP_NONBLOCK"), (0x20000, "MAP_STACK"),
            (0x40000, "MAP_HUGETLB"), (0x80000, "MAP_SYNC"), (0x100000, "MAP_FIXED_NOREPLACE"),
        ], "");
        return rest.Length == 0 ? type : type + "|" + rest;
    }

    /// <summary>
    /// The Linux signal names by number, from Mono.Posix's <see cref="Mono.Unix.Native.Signum"/>
    /// (which holds the Linux values). Where it has two names for a number, the one strace
    /// prints: SIGIOT, SIGCLD, SIGPOLL and SIGUNUSED are the older aliases.
    /// </summary>
    private static readonly Lazy<string[]> SignalNames = new(() =>
    {
        string[] aliases = ["SIGIOT", "SIGCLD", "SIGPOLL", "SIGUNUSED"];
        var names = new string[32];
        names[0] = "0";
        // GetNames and GetValues list the same members in the same order, aliases included.
        var all = Enum.GetNames<Mono.Unix.Native.Signum>();
        var values = Enum.GetValues<Mono.Unix.Native.Signum>();
        for (var i = 0; i < all.Length; i++)
        {
            var number = (int)values[i];
            var name = all[i];
            if (number is > 0 and < 32 && (names[number] is null || aliases.Contains(names[number])) && !aliases.Contains(name))
            {
                names[number] = name;
            }
        }
        return names;
    });

    internal static string SignalName(int signal) =>
        signal >= 0 && signal < SignalNames.Value.Length && SignalNames.Value[signal] is { } name ? name : signal.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>-EPERM</c>: a failed call's result as strace prints it.</summary>
    internal static string Result(int errno) => "-" + ErrnoNames.Describe(errno);
}
