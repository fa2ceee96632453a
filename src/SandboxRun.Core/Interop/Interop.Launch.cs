using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class LaunchHelper
    {
        /// <summary>
        /// sandboxrun_seccomp_execve (src/SandboxRun/Native/sandboxrun_launch.c, linked into the
        /// AOT binary): every seccomp layer, then execve, in one native call. Returns the errno
        /// of the failed step only; <paramref name="failed"/> is the refused layer, or count when
        /// execve failed.
        /// </summary>
        [DllImport("sandboxrun_launch", EntryPoint = "sandboxrun_seccomp_execve")]
        internal static extern unsafe int SeccompExecve(Libc.SockFprog* programs, uint* flags, int count, byte* path, byte** argv, byte** envp, int* failed);
    }
}
