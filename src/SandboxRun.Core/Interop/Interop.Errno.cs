using System.Runtime.InteropServices;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Interop;

/// <summary>An errno value, with its name (Mono.Posix) and strerror text.</summary>
internal readonly record struct Errno(int Value)
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int E2BIG = 7;
    internal const int ENOEXEC = 8;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int ENOSYS = 38;
    internal const int ELOOP = 40;
    internal const int ENAMETOOLONG = 36;
    internal const int EOPNOTSUPP = 95;

    internal static Errno Last => new(Marshal.GetLastPInvokeError());

    internal string Name => ErrnoNames.Describe(Value);

    internal string Message => Marshal.GetPInvokeErrorMessage(Value);

    public override string ToString() => $"{Name} ({Message})";
}

internal static partial class Interop
{
    /// <summary>Throws an <see cref="OsException"/> for a failed call (rc &lt; 0), with errno and a hint.</summary>
    internal static void ThrowIfFailed(long rc, string call, Func<Errno, string?>? hint = null)
    {
        if (rc >= 0)
        {
            return;
        }
        var errno = Errno.Last;
        var extra = hint?.Invoke(errno);
        throw new OsException($"{call} failed: {errno}{(extra is null ? "" : " — " + extra)}", errno.Value);
    }
}
