using SandboxRun.Bpf;

namespace SandboxRun.Recording;

/// <summary>One SECCOMP_IOCTL_NOTIF_RECV: the call of task <see cref="Pid"/>, stopped until answered.</summary>
internal readonly record struct Notification(ulong Id, int Pid, SeccompData Data);

/// <summary>What the supervisor answers: let the call run (CONTINUE), or fail it with an errno.</summary>
internal readonly record struct Answer(bool Continue, int Errno)
{
    internal static Answer Proceed => new(true, 0);

    internal static Answer Fail(int errno) => new(false, errno);
}

/// <summary>How the watched target ended: its exit code, or the signal that killed it.</summary>
internal readonly record struct TargetEnd(int Pid, int ExitCode, int Signal);

/// <summary>
/// What the supervisor does with each notification. <see cref="Handle"/> runs on the
/// supervisor's one thread while the calling task waits; <see cref="Finish"/> once at the end.
/// </summary>
internal interface IWatcher
{
    Answer Handle(in Notification notification, TargetMemory memory);

    void Finish(TargetEnd end);
}
