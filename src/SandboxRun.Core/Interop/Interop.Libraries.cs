namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static class Libraries
    {
        /// <summary>glibc. The exe links these calls directly (DirectPInvoke), so none is bound lazily under a filter.</summary>
        internal const string Libc = "libc";
    }
}
