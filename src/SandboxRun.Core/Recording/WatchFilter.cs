using SandboxRun.Bpf;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Recording;

/// <summary>
/// The programs a supervisor installs. Each is the compiled profile with some returns
/// changed to SECCOMP_RET_USER_NOTIF; the supervisor then decides the notified call again
/// from the model (<see cref="Policy.PolicyEvaluator"/>, which the property tests hold equal
/// to the program) to learn the action, the errno and the rule that decided.
/// </summary>
internal static class WatchFilter
{
    /// <summary>
    /// <c>--report</c>: every ERRNO return notifies; the supervisor answers with that errno, so
    /// the program sees what it would see unwatched. KILL and TRAP stay as they are (the
    /// kernel must kill or signal: a supervisor cannot imitate either exactly), and the end
    /// of a target killed by SIGSYS is reported instead. <c>--complain</c>: every return that
    /// stops a call notifies, and the supervisor lets the call run.
    /// </summary>
    internal static BpfProgram NotifyDenials(BpfProgram program, bool complain) =>
        new([.. program.Instructions.Select(i =>
            i.Code == (BPF_RET | BPF_K) && Notifies(SeccompAction.FromReturnValue(i.K), complain)
                ? BpfInstruction.Stmt((ushort)(BPF_RET | BPF_K), SeccompAction.SECCOMP_RET_USER_NOTIF)
                : i)]);

    private static bool Notifies(SeccompAction action, bool complain) =>
        action.Kind == ActionKind.Errno
        || (complain && action.Kind is ActionKind.KillProcess or ActionKind.KillThread or ActionKind.Trap);

    /// <summary>
    /// <c>record</c>: one instruction, every call of every ABI notified. Installed in the child
    /// right before execve, so the record starts with execve itself and holds everything the
    /// program does from its first instruction on.
    /// </summary>
    internal static BpfProgram NotifyEverything() =>
        new([BpfInstruction.Stmt((ushort)(BPF_RET | BPF_K), SeccompAction.SECCOMP_RET_USER_NOTIF)]);
}
