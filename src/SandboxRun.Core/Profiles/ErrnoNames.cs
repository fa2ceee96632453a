using Mono.Unix.Native;

namespace SandboxRun.Profiles;

/// <summary>
/// errno names and numbers. Mono.Posix's <see cref="Errno"/> enum carries the Linux
/// values (asm-generic/errno*.h, shared by x86_64, x86, aarch64 and arm), so no table is
/// written by hand here. Only the managed enum is used: no native helper is loaded.
/// </summary>
internal static class ErrnoNames
{
    /// <summary>The largest errno the kernel passes through SECCOMP_RET_ERRNO (MAX_ERRNO).</summary>
    internal const int MaxErrno = 4095;

    internal static bool TryParse(string name, out ushort number)
    {
        if (name.StartsWith('E') && Enum.TryParse<Errno>(name, ignoreCase: false, out var errno) && Enum.IsDefined(errno))
        {
            number = (ushort)errno;
            return true;
        }
        number = 0;
        return false;
    }

    /// <summary>The symbolic name of an errno, or null where Linux has none.</summary>
    internal static string? NameOf(int number) =>
        number is > 0 and <= MaxErrno ? Enum.GetName((Errno)number) : null;

    /// <summary><c>EPERM</c>, or the number where it has no name.</summary>
    internal static string Describe(int number) => NameOf(number) ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static IEnumerable<string> All => Enum.GetNames<Errno>().Where(n => n.StartsWith('E'));
}
