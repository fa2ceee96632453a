using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SIGPIPE = 13;
        internal const int SIG_SETMASK = 2;
        internal static readonly nint SIG_DFL = 0;

        /// <summary>signal(2): only used to put back a default disposition.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "signal", SetLastError = true)]
        internal static partial nint Signal(int signum, nint handler);

        /// <summary>sigprocmask(2) with a kernel-sized (128-byte glibc) sigset_t.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sigprocmask", SetLastError = true)]
        internal static unsafe partial int SigProcMask(int how, byte* set, byte* oldset);
    }
}
