using System.Runtime.InteropServices;

namespace SandboxRun.Tests.Oracle;

/// <summary>
/// The reference: Debian's libseccomp.so.2 (2.5.4), called directly. Declarations follow
/// /usr/include/seccomp.h of libseccomp 2.5.
/// </summary>
internal static partial class LibSeccomp
{
    private const string Library = "libseccomp.so.2";

    // SCMP_ARCH_* tokens: the AUDIT_ARCH values, except x32 (EM_X86_64 | __AUDIT_ARCH_LE).
    internal const uint SCMP_ARCH_X86_64 = 0xC000003E;
    internal const uint SCMP_ARCH_X86 = 0x40000003;
    internal const uint SCMP_ARCH_X32 = 0x4000003E;
    internal const uint SCMP_ARCH_AARCH64 = 0xC00000B7;
    internal const uint SCMP_ARCH_ARM = 0x40000028;

    // enum scmp_filter_attr.
    internal const int SCMP_FLTATR_CTL_NNP = 3;
    internal const int SCMP_FLTATR_CTL_OPTIMIZE = 8;

    internal const int __NR_SCMP_ERROR = -1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct ScmpArgCmp
    {
        internal uint Arg;
        internal int Op;
        internal ulong DatumA;
        internal ulong DatumB;
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    internal static partial IntPtr Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    internal static partial void Release(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_add")]
    internal static partial int ArchAdd(IntPtr ctx, uint archToken);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_remove")]
    internal static partial int ArchRemove(IntPtr ctx, uint archToken);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_native")]
    internal static partial uint ArchNative();

    [LibraryImport(Library, EntryPoint = "seccomp_attr_set")]
    internal static partial int AttrSet(IntPtr ctx, int attr, uint value);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ResolveNameArch(uint archToken, string name);

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    internal static unsafe partial int RuleAddArray(IntPtr ctx, uint action, int syscall, uint argCount, ScmpArgCmp* args);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    internal static partial int ExportBpf(IntPtr ctx, int fd);

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "close")]
    internal static partial int Close(int fd);

    internal static bool IsAvailable
    {
        get
        {
            try
            {
                return ArchNative() != 0;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }
}
