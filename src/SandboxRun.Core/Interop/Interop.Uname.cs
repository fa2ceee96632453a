using System.Runtime.InteropServices;

namespace SandboxRun.Interop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // struct utsname (sys/utsname.h, glibc on Linux): six char[_UTSNAME_LENGTH = 65] fields,
        // sysname, nodename, release, version, machine, domainname.
        private const int UtsLength = 65;
        private const int UtsFields = 6;

        [LibraryImport(Libraries.Libc, EntryPoint = "uname", SetLastError = true)]
        private static unsafe partial int Uname(byte* buf);

        /// <summary>uname(2)'s release field ("6.18.0-1-amd64"); null when the call fails.</summary>
        internal static unsafe string? UnameRelease()
        {
            var buf = stackalloc byte[UtsLength * UtsFields];
            if (Uname(buf) != 0)
            {
                return null;
            }
            var release = new ReadOnlySpan<byte>(buf + (2 * UtsLength), UtsLength);
            var end = release.IndexOf((byte)0);
            release = end < 0 ? release : release[..end];
            // The release is ASCII (utsname's fields are C strings of the kernel's build).
            Span<char> chars = stackalloc char[release.Length];
            for (var i = 0; i < release.Length; i++)
            {
                chars[i] = (char)release[i];
            }
            return new string(chars);
        }
    }
}
