using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// execve(2), with the usual GC transition: while the kernel loads the new program the
        /// thread is in preemptive mode, so a collection never signals it (a real-time signal
        /// arriving during execve would stay pending and kill the new program).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "execve", SetLastError = true)]
        internal static unsafe partial int Execve(byte* path, byte** argv, byte** envp);

        /// <summary>write(2) for the last words of a launch that failed under the filter.</summary>
        [DllImport(Libraries.Libc, EntryPoint = "write")]
        [SuppressGCTransition]
        internal static extern unsafe nint WriteNoTransition(int fd, byte* buffer, nuint count);

        /// <summary>_exit(2): leave at once, without the runtime's shutdown (which may need denied calls).</summary>
        [DllImport(Libraries.Libc, EntryPoint = "_exit")]
        [SuppressGCTransition]
        internal static extern void ExitNoTransition(int status);

        /// <summary>glibc's <c>environ</c>: the process's environment as execve takes it.</summary>
        internal static unsafe byte** Environ() =>
            *(byte***)NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), "environ");

        /// <summary>access(2), to tell "not executable" from "not found" before the filter.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Access(string path, int mode);

        internal const int X_OK = 1;
    }
}
