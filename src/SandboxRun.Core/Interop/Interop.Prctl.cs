using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>linux/prctl.h.</summary>
        internal const int PR_SET_NO_NEW_PRIVS = 38;

        // prctl is variadic in C; on x86_64 and aarch64 passing every argument as a full
        // register-width value is what the variadic convention expects, so it is declared
        // with fixed nuint parameters.
        [LibraryImport(Libraries.Libc, EntryPoint = "prctl", SetLastError = true)]
        internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    }
}
