using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>linux/seccomp.h.</summary>
        internal const uint SECCOMP_SET_MODE_FILTER = 1;
        internal const uint SECCOMP_GET_ACTION_AVAIL = 2;
        internal const uint SECCOMP_FILTER_FLAG_TSYNC = 1;
        internal const uint SECCOMP_FILTER_FLAG_LOG = 2;
        internal const uint SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4;

        /// <summary>__NR_seccomp: glibc 2.36 has no wrapper, so it goes through syscall(2).</summary>
        internal static nint SYS_seccomp =>
            RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 277 : 317;

        /// <summary>struct sock_fprog: the length and a pointer to the instructions.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SockFprog
        {
            internal ushort Len;
            internal void* Filter;
        }

        // syscall(2) is variadic; register-width arguments, as for prctl.
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static partial nint Syscall(nint number, nuint arg1, nuint arg2, nuint arg3);

    }
}
