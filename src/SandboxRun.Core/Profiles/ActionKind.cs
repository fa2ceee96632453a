namespace SandboxRun.Profiles;

/// <summary>The SCMP_ACT_* actions a profile can name (runc's set).</summary>
internal enum ActionKind
{
    KillProcess,
    KillThread,
    Trap,
    Errno,
    Notify,
    Trace,
    Log,
    Allow,
}
