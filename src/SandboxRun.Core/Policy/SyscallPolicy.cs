using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// The rules of one syscall number on one ABI, merged as libseccomp merges them, and the
/// decision they make for an argument vector. <see cref="Rules"/> keeps every rule in the
/// order it was added, for explanations; <see cref="Effective"/> holds the ones that decide.
/// </summary>
internal sealed record SyscallPolicy(
    uint Number,
    string Name,
    bool Is64Bit,
    IReadOnlyList<ArchRule> Rules,
    ArchRule? Unconditional,
    IReadOnlyList<ArchRule> Effective)
{
    internal static SyscallPolicy Build(uint number, Arch.Arch arch, IReadOnlyList<ArchRule> rules)
    {
        var name = arch.NameOf(number) ?? $"nr {number}";
        // An unconditional rule wins over conditional ones whatever their order; of two
        // unconditional rules the first one stays.
        var unconditional = rules.FirstOrDefault(r => r.Conditions.Count == 0);
        if (unconditional is not null)
        {
            return new SyscallPolicy(number, name, arch.Is64Bit, rules, unconditional, [unconditional]);
        }
        return new SyscallPolicy(number, name, arch.Is64Bit, rules, null, rules);
    }

    /// <summary>The rule that decides for these arguments, or null when the default applies.</summary>
    internal ArchRule? Match(ReadOnlySpan<ulong> args)
    {
        foreach (var rule in Effective)
        {
            var all = true;
            foreach (var c in rule.Conditions)
            {
                if (!Holds(c, args[c.Index]))
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return rule;
            }
        }
        return null;
    }

    /// <summary>
    /// A condition on this ABI. On 32-bit ABIs (x86, x32, arm) libseccomp compares only the
    /// low 32 bits of the argument with the low 32 bits of the value.
    /// </summary>
    internal bool Holds(ArgCondition c, ulong arg) =>
        Is64Bit ? c.Matches(arg) : (c with { Value = (uint)c.Value, ValueTwo = (uint)c.ValueTwo }).Matches((uint)arg);
}
