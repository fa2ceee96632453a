namespace SandboxRun.EndToEnd;

/// <summary>Linux errno values (asm-generic/errno-base.h, asm-generic/errno.h), as the probe exits with them.</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ESRCH = 3;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int EINVAL = 22;
    internal const int ENOSYS = 38;
}
