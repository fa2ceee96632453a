using SandboxRun.Arch;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// A profile resolved for one machine: the arches its filter covers (main first), each with
/// its syscalls, the default action and the ENOSYS mode. This is what the compiler turns
/// into BPF and what <see cref="PolicyEvaluator"/> answers questions from.
/// </summary>
internal sealed record FilterPolicy(
    Profile Profile,
    TargetArch Target,
    SeccompAction DefaultAction,
    IReadOnlyList<ArchPolicy> Arches,
    EnosysMode Enosys,
    ResolveOptions Options,
    IReadOnlyList<RuleNote> Notes)
{
    internal ArchPolicy? For(Arch.Arch arch) => Arches.FirstOrDefault(a => a.Arch == arch);

    /// <summary>
    /// The action the kernel takes for an arch value no block covers: libseccomp's bad-arch
    /// action, KILL_THREAD (SCMP_ACT_KILL), which runc leaves unchanged.
    /// </summary>
    internal static SeccompAction BadArchAction => SeccompAction.KillThread;
}
