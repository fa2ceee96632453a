using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class LaunchHelper
    {
        /// <summary>
        /// sandboxrun_spawn_watched (src/SandboxRun/Native/sandboxrun_launch.c): a child runs
        /// path under the layers, layer <paramref name="listen"/> with a listener that this
        /// process takes with pidfd_getfd. 0 with the hand-off page for <see cref="WatchedExecErrno"/>,
        /// or the errno with <paramref name="failed"/> = -1 (before the filters), the refused
        /// layer or count + 1 (the hand-off).
        /// </summary>
        [DllImport("sandboxrun_launch", EntryPoint = "sandboxrun_spawn_watched")]
        internal static extern unsafe int SpawnWatched(
            Libc.SockFprog* programs, uint* flags, int count, int listen, byte* path, byte** argv, byte** envp,
            int* pid, int* pidfd, int* listener, int* failed, void** handoff);

        /// <summary>
        /// sandboxrun_watched_exec_errno: once the watched child has ended, the errno of its
        /// execve when that failed (it happens after the hand-off), else 0. Frees the page.
        /// </summary>
        [DllImport("sandboxrun_launch", EntryPoint = "sandboxrun_watched_exec_errno")]
        internal static extern unsafe int WatchedExecErrno(void* handoff);

        /// <summary>
        /// sandboxrun_seccomp_notify_execve: the layers (one with a listener), the listener and
        /// <paramref name="message"/> sent over <paramref name="socket"/>, then execve. Returns
        /// only on failure; <paramref name="failed"/> is count + 1 when sendmsg failed.
        /// </summary>
        [DllImport("sandboxrun_launch", EntryPoint = "sandboxrun_seccomp_notify_execve")]
        internal static extern unsafe int SeccompNotifyExecve(
            Libc.SockFprog* programs, uint* flags, int count, int listen, int socket, byte* message, int length,
            byte* path, byte** argv, byte** envp, int* failed);
    }

    internal static partial class Libc
    {
        // linux/seccomp.h: the user-notification interface.
        internal const uint SECCOMP_GET_NOTIF_SIZES = 3;
        internal const uint SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
        internal const uint SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
        internal const uint SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

        // _IOWR('!', 0, struct seccomp_notif) and friends, as the C headers compute them
        // (the same encoding on x86_64 and aarch64).
        internal const nuint SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
        internal const nuint SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
        internal const nuint SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102;
        internal const nuint SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104;

        internal const short POLLIN = 0x1;
        internal const short POLLHUP = 0x10;
        internal const int EINTR = 4;

        internal const int P_ALL = 0;
        internal const int P_PID = 1;
        internal const int WEXITED = 4;
        internal const int WNOHANG = 1;

        internal const int PR_SET_DUMPABLE = 4;
        internal const int PR_SET_CHILD_SUBREAPER = 36;

        /// <summary>struct seccomp_notif: 80 bytes (the kernel may report a larger size).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SeccompNotif
        {
            internal ulong Id;
            internal uint Pid;
            internal uint Flags;
            internal int Nr;
            internal uint Arch;
            internal ulong InstructionPointer;
            internal fixed ulong Args[6];
        }

        /// <summary>struct seccomp_notif_resp.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SeccompNotifResp
        {
            internal ulong Id;
            internal long Val;
            internal int Error;
            internal uint Flags;
        }

        /// <summary>struct seccomp_notif_sizes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SeccompNotifSizes
        {
            internal ushort Notif;
            internal ushort Resp;
            internal ushort Data;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short Revents;
        }

        /// <summary>siginfo_t, 128 bytes; waitid fills si_pid, si_code and si_status.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 128)]
        internal struct SigInfo
        {
            [FieldOffset(0)]
            internal int Signo;

            [FieldOffset(8)]
            internal int Code;

            [FieldOffset(16)]
            internal int Pid;

            [FieldOffset(24)]
            internal int Status;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IoVec
        {
            internal void* Base;
            internal nuint Length;
        }

        // si_code values for SIGCHLD (asm-generic/siginfo.h).
        internal const int CLD_EXITED = 1;

        // ioctl(2) is variadic: one register-width argument.
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(int fd, nuint request, void* arg);

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);

        [LibraryImport(Libraries.Libc, EntryPoint = "waitid", SetLastError = true)]
        internal static unsafe partial int WaitId(int idtype, int id, SigInfo* info, int options);

        [LibraryImport(Libraries.Libc, EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);

        [LibraryImport(Libraries.Libc, EntryPoint = "getpid")]
        internal static partial int GetPid();

        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "process_vm_readv", SetLastError = true)]
        internal static unsafe partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
        internal static partial int Socket(int domain, int type, int protocol);

        [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
        internal static unsafe partial int Connect(int fd, void* address, uint length);

        internal const int AF_UNIX = 1;
        internal const int SOCK_STREAM = 1;
        internal const int SOCK_CLOEXEC = 0x80000;
    }
}
