using SandboxRun.Bpf;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>What decided a syscall.</summary>
internal enum DecisionSource
{
    /// <summary>The arch value belongs to no block of the filter.</summary>
    ForeignArch,

    /// <summary>An x32 number (bit 30 set) under AUDIT_ARCH_X86_64, and the profile has no x32.</summary>
    X32NotCovered,

    /// <summary>runc's stub: above the highest number the profile names.</summary>
    EnosysStub,

    /// <summary><c>--enosys known</c>: a number sandboxrun's table lacks.</summary>
    EnosysUnknown,

    /// <summary>A rule of the profile matched.</summary>
    Rule,

    /// <summary>No rule matched: the default action.</summary>
    Default,
}

/// <summary>One decision and what made it.</summary>
internal sealed record Decision(SeccompAction Action, DecisionSource Source, Arch.Arch? Arch, SyscallPolicy? Syscall, ArchRule? Rule);

/// <summary>How much of a syscall a filter lets through: no call, calls with some arguments, every call.</summary>
internal enum Permission
{
    None,
    Some,
    All,
}

/// <summary>
/// What is decided before the arguments are read (<see cref="PolicyEvaluator.Classify"/>): a
/// value, because the compiler asks for every cut of the number space of every arch.
/// </summary>
internal readonly record struct Classification(SeccompAction Action, DecisionSource Source, Arch.Arch? Arch, SyscallPolicy? Syscall);

/// <summary>
/// Decides a syscall straight from the <see cref="FilterPolicy"/>, without BPF: the model
/// the compiled program must agree with (the property tests compare the two on every input),
/// and the source of <c>check</c>'s explanations.
/// </summary>
internal static class PolicyEvaluator
{
    internal static Decision Decide(FilterPolicy policy, in SeccompData data)
    {
        var c = Classify(policy, data.Arch, data.Nr);
        var outcome = new Decision(c.Action, c.Source, c.Arch, c.Syscall, null);
        if (outcome.Syscall is not { } syscall)
        {
            return outcome;
        }
        if (syscall.Unconditional is { } always)
        {
            return outcome with { Rule = syscall.Cite(data.Args, always) };
        }
        if (!syscall.ReadsArguments || syscall.Decide(data.Args) is not { } action)
        {
            return outcome;
        }
        return outcome with { Action = action, Source = DecisionSource.Rule, Rule = syscall.Cite(data.Args, action) };
    }

    /// <summary>
    /// Everything that is decided before arguments are read. A result with a
    /// <see cref="Classification.Syscall"/> that has rules still depends on the arguments; its
    /// action is then the one taken when no rule matches.
    /// </summary>
    internal static Classification Classify(FilterPolicy policy, uint auditArch, uint nr)
    {
        // runc prepends its stub to libseccomp's program: it decides before the arch blocks.
        if (StubSays(policy, auditArch, nr) is { } stubArch)
        {
            return new Classification(SeccompAction.Enosys, DecisionSource.EnosysStub, stubArch.Arch, null);
        }
        var block = BlockFor(policy, auditArch, nr, out var source);
        if (block is null)
        {
            return new Classification(FilterPolicy.BadArchAction, source, null, null);
        }
        if (policy.Enosys == EnosysMode.Known && !policy.DefaultAction.IsPermissiveDefault && !block.Arch.Has(nr))
        {
            return new Classification(SeccompAction.Enosys, DecisionSource.EnosysUnknown, block.Arch, null);
        }
        var found = block.Find(nr);
        if (found is { Unconditional: { } always })
        {
            // The rule to cite is looked up by Decide: the compiler asks this for every range.
            return new Classification(always, DecisionSource.Rule, block.Arch, found);
        }
        return new Classification(policy.DefaultAction, DecisionSource.Default, block.Arch, found);
    }

    /// <summary>
    /// Whether a syscall is allowed: <see cref="Permission.Some"/> when arguments decide and
    /// some rule, or the fallback for unmatched arguments, permits it. Asked by lint (weaker
    /// than Docker's default) and by the profile writer (what a base profile still denies).
    /// </summary>
    internal static Permission Permits(FilterPolicy policy, uint auditArch, uint nr)
    {
        var decision = Classify(policy, auditArch, nr);
        if (decision.Syscall is not { ReadsArguments: true } syscall)
        {
            return decision.Action.Permits ? Permission.All : Permission.None;
        }
        if (decision.Action.Permits)
        {
            return Permission.Some;
        }
        foreach (var rule in syscall.Rules)
        {
            if (rule.Action.Permits)
            {
                return Permission.Some;
            }
        }
        return Permission.None;
    }

    /// <summary>
    /// The block an (arch, nr) pair reaches in libseccomp's program: under AUDIT_ARCH_X86_64 a
    /// number of 0x40000000 or more is x32's, and is killed when the profile has no x32
    /// (except -1, which libseccomp leaves to the x86_64 rules).
    /// </summary>
    internal static ArchPolicy? BlockFor(FilterPolicy policy, uint auditArch, uint nr, out DecisionSource source)
    {
        source = DecisionSource.ForeignArch;
        // libseccomp lets nr -1 through to the x86_64 rules: ptrace uses it for a skipped call.
        var wantX32 = auditArch == Arch.Arch.AUDIT_ARCH_X86_64 && nr >= Arch.Arch.X32_SYSCALL_BIT && nr != uint.MaxValue;
        var covered = false;
        var arches = policy.Arches;
        for (var i = 0; i < arches.Count; i++)
        {
            var a = arches[i];
            if (a.Arch.AuditArch != auditArch)
            {
                continue;
            }
            covered = true;
            if ((a.Arch == Arch.Arch.X32) == wantX32)
            {
                return a;
            }
        }
        if (covered)
        {
            source = DecisionSource.X32NotCovered;
        }
        return null;
    }

    /// <summary>
    /// runc's stub runs before the filter: under AUDIT_ARCH_X86_64 it picks the x86_64 or the
    /// x32 boundary by bit 30 alone (jset), elsewhere by arch.
    /// </summary>
    internal static ArchPolicy? StubSays(FilterPolicy policy, uint auditArch, uint nr)
    {
        // Index loops: the compiler asks this for every number range, and a foreach over the
        // interface would allocate an enumerator each time.
        var arches = policy.Arches;
        for (var i = 0; i < arches.Count; i++)
        {
            var a = arches[i];
            if (a.Arch.AuditArch != auditArch || a.EnosysAbove is not { } max)
            {
                continue;
            }
            if (auditArch == Arch.Arch.AUDIT_ARCH_X86_64 && ((nr & Arch.Arch.X32_SYSCALL_BIT) != 0) != (a.Arch == Arch.Arch.X32))
            {
                continue;
            }
            if (nr > max)
            {
                return a;
            }
        }
        return null;
    }
}
