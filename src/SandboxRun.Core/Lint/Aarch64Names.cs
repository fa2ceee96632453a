namespace SandboxRun.Lint;

/// <summary>
/// x86_64 syscalls that aarch64 lacks (it has only the generic table,
/// include/uapi/asm-generic/unistd.h), and the call libc makes there instead.
/// </summary>
internal static class Aarch64Names
{
    private static readonly Dictionary<string, string> Instead = new(StringComparer.Ordinal)
    {
        ["open"] = "openat",
        ["creat"] = "openat",
        ["stat"] = "newfstatat",
        ["lstat"] = "newfstatat",
        ["fork"] = "clone",
        ["vfork"] = "clone",
        ["access"] = "faccessat",
        ["pipe"] = "pipe2",
        ["dup2"] = "dup3",
        ["poll"] = "ppoll",
        ["select"] = "pselect6",
        ["epoll_wait"] = "epoll_pwait",
        ["epoll_create"] = "epoll_create1",
        ["mkdir"] = "mkdirat",
        ["rmdir"] = "unlinkat",
        ["unlink"] = "unlinkat",
        ["rename"] = "renameat2",
        ["link"] = "linkat",
        ["symlink"] = "symlinkat",
        ["readlink"] = "readlinkat",
        ["chmod"] = "fchmodat",
        ["chown"] = "fchownat",
        ["lchown"] = "fchownat",
        ["utime"] = "utimensat",
        ["utimes"] = "utimensat",
        ["futimesat"] = "utimensat",
        ["getdents"] = "getdents64",
        ["eventfd"] = "eventfd2",
        ["signalfd"] = "signalfd4",
        ["inotify_init"] = "inotify_init1",
        ["mknod"] = "mknodat",
        ["time"] = "clock_gettime",
        ["alarm"] = "setitimer",
        ["pause"] = "ppoll",
        ["getpgrp"] = "getpgid",
    };

    /// <summary>The aarch64 call that does the work of an x86_64-only one, or null when there is none.</summary>
    internal static string? InsteadOf(string name) => Instead.GetValueOrDefault(name);
}
