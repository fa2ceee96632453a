using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// The rules of one syscall number on one ABI: every rule in the order it was added (for
/// explanations), and what they decide once merged as libseccomp merges them
/// (<see cref="RuleTree"/>): an unconditional action, or a tree over the arguments.
/// </summary>
internal sealed record SyscallPolicy(
    uint Number,
    string Name,
    bool Is64Bit,
    IReadOnlyList<ArchRule> Rules,
    SeccompAction? Unconditional,
    DecisionLevel? Tree)
{
    /// <summary>Whether the decision depends on the arguments.</summary>
    internal bool ReadsArguments => Unconditional is null && Tree is not null;

    /// <summary>The action for these arguments, or null when the default applies.</summary>
    internal SeccompAction? Decide(ReadOnlySpan<ulong> args) => Unconditional ?? Tree?.Evaluate(args);

    /// <summary>
    /// The rule to cite for a decision: the first rule with that action whose conditions
    /// all hold (an unconditional one when the entry is unconditional).
    /// </summary>
    internal ArchRule? Cite(ReadOnlySpan<ulong> args, SeccompAction decided)
    {
        foreach (var rule in Rules)
        {
            if (rule.Action != decided)
            {
                continue;
            }
            if (Unconditional is not null ? !TestsAnything(rule) : AllHold(rule, args))
            {
                return rule;
            }
        }
        return null;
    }

    internal bool AllHold(ArchRule rule, ReadOnlySpan<ulong> args)
    {
        foreach (var c in rule.Conditions)
        {
            if (!Holds(c, args[c.Index]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A condition on this ABI. On 32-bit ABIs (x86, x32, arm) libseccomp compares only the
    /// low 32 bits of the argument with the low 32 bits of the value.
    /// </summary>
    internal bool Holds(ArgCondition c, ulong arg) =>
        Is64Bit ? c.Matches(arg) : (c with { Value = (uint)c.Value, ValueTwo = (uint)c.ValueTwo }).Matches((uint)arg);

    /// <summary>Whether any condition tests anything: a MASKED_EQ whose mask (low word, on 32-bit ABIs) is 0 always holds.</summary>
    internal bool TestsAnything(ArchRule rule)
    {
        foreach (var c in rule.Conditions)
        {
            if (c.Op != CompareOp.MaskedEqual || (Is64Bit ? c.Value : (uint)c.Value) != 0)
            {
                return true;
            }
        }
        return false;
    }
}
