using System.Runtime.InteropServices;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Interop;

/// <summary>An errno value, with its name (Mono.Posix) and strerror text.</summary>
internal readonly record struct Errno(int Value)
{
    internal const int ENOENT = 2;
    internal const int EACCES = 13;
    internal const int EINVAL = 22;
    internal const int ENOSYS = 38;

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
