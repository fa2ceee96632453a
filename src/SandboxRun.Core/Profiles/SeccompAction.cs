namespace SandboxRun.Profiles;

/// <summary>
/// A filter's answer: an action and its 16-bit data (the errno of ERRNO, the message of
/// TRACE). Two actions are equal when their return values are, which is how runc decides
/// that a rule repeats the default action.
/// </summary>
internal readonly record struct SeccompAction(ActionKind Kind, ushort Data = 0)
{
    // SECCOMP_RET_* from /usr/include/linux/seccomp.h.
    internal const uint SECCOMP_RET_KILL_PROCESS = 0x80000000;
    internal const uint SECCOMP_RET_KILL_THREAD = 0x00000000;
    internal const uint SECCOMP_RET_TRAP = 0x00030000;
    internal const uint SECCOMP_RET_ERRNO = 0x00050000;
    internal const uint SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    internal const uint SECCOMP_RET_TRACE = 0x7ff00000;
    internal const uint SECCOMP_RET_LOG = 0x7ffc0000;
    internal const uint SECCOMP_RET_ALLOW = 0x7fff0000;
    internal const uint SECCOMP_RET_ACTION_FULL = 0xffff0000;
    internal const uint SECCOMP_RET_DATA = 0x0000ffff;

    /// <summary>errno values the compiler itself uses (asm-generic/errno-base.h, errno.h).</summary>
    internal const ushort EPERM = 1;
    internal const ushort ENOSYS = 38;

    internal static SeccompAction Allow => new(ActionKind.Allow);
    internal static SeccompAction KillThread => new(ActionKind.KillThread);
    internal static SeccompAction Enosys => new(ActionKind.Errno, ENOSYS);

    internal static SeccompAction Errno(ushort errno) => new(ActionKind.Errno, errno);

    /// <summary>The 32-bit value a filter returns for this action.</summary>
    internal uint ReturnValue =>
        Kind switch
        {
            ActionKind.KillProcess => SECCOMP_RET_KILL_PROCESS,
            ActionKind.KillThread => SECCOMP_RET_KILL_THREAD,
            ActionKind.Trap => SECCOMP_RET_TRAP,
            ActionKind.Errno => SECCOMP_RET_ERRNO | Data,
            ActionKind.Notify => SECCOMP_RET_USER_NOTIF,
            ActionKind.Trace => SECCOMP_RET_TRACE | Data,
            ActionKind.Log => SECCOMP_RET_LOG,
            ActionKind.Allow => SECCOMP_RET_ALLOW,
            _ => throw new System.Diagnostics.UnreachableException(),
        };

    /// <summary>Reads a filter's return value back (the interpreter and disassembler use it).</summary>
    internal static SeccompAction FromReturnValue(uint ret)
    {
        var data = (ushort)(ret & SECCOMP_RET_DATA);
        return (ret & SECCOMP_RET_ACTION_FULL) switch
        {
            SECCOMP_RET_KILL_PROCESS => new(ActionKind.KillProcess),
            SECCOMP_RET_KILL_THREAD => new(ActionKind.KillThread),
            SECCOMP_RET_TRAP => new(ActionKind.Trap, data),
            SECCOMP_RET_ERRNO => new(ActionKind.Errno, data),
            SECCOMP_RET_USER_NOTIF => new(ActionKind.Notify),
            SECCOMP_RET_TRACE => new(ActionKind.Trace, data),
            SECCOMP_RET_LOG => new(ActionKind.Log),
            SECCOMP_RET_ALLOW => new(ActionKind.Allow),
            // The kernel treats any other value as KILL_PROCESS (kernel/seccomp.c, __seccomp_filter).
            _ => new(ActionKind.KillProcess),
        };
    }

    /// <summary>ALLOW and LOG let the call run; every other action stops it.</summary>
    internal bool Permits => Kind is ActionKind.Allow or ActionKind.Log;

    /// <summary>runc's isAllowAction: no ENOSYS stub when the default is one of these.</summary>
    internal bool IsPermissiveDefault => Kind is ActionKind.Allow or ActionKind.Log or ActionKind.Trace;

    /// <summary>Profile spelling plus data: <c>SCMP_ACT_ERRNO(EPERM)</c>.</summary>
    public override string ToString() =>
        Kind switch
        {
            ActionKind.Errno => $"SCMP_ACT_ERRNO({ErrnoNames.Describe(Data)})",
            ActionKind.Trace => $"SCMP_ACT_TRACE({Data})",
            _ => ActionNames.ToProfileName(Kind),
        };
}
