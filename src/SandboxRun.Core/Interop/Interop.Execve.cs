using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>execve(2) for the launch window: no GC transition, errno read directly after.</summary>
        [DllImport(Libraries.Libc, EntryPoint = "execve")]
        [SuppressGCTransition]
        internal static extern unsafe int ExecveNoTransition(byte* path, byte** argv, byte** envp);

        /// <summary>write(2) for the last words of a launch that failed under the filter.</summary>
        [DllImport(Libraries.Libc, EntryPoint = "write")]
        [SuppressGCTransition]
        internal static extern unsafe nint WriteNoTransition(int fd, byte* buffer, nuint count);

        /// <summary>_exit(2): leave at once, without the runtime's shutdown (which may need denied calls).</summary>
        [DllImport(Libraries.Libc, EntryPoint = "_exit")]
        [SuppressGCTransition]
        internal static extern void ExitNoTransition(int status);

        /// <summary>access(2), to tell "not executable" from "not found" before the filter.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Access(string path, int mode);

        internal const int X_OK = 1;
    }
}
