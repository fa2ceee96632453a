using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// Where a rule handed to the filter came from: the JSON rule, the name in it, and what the
/// engine did on the way (runc split its conditions; libseccomp added the i386
/// socketcall/ipc form).
/// </summary>
internal sealed record RuleOrigin(SyscallRule Rule, string Name, int? SplitCondition = null, string? Multiplexer = null)
{
    public override string ToString()
    {
        var text = $"{Rule.Path} ({Name})";
        if (SplitCondition is { } i)
        {
            text += $", condition args[{i}] alone (runc splits a rule that names one argument twice)";
        }
        if (Multiplexer is not null)
        {
            text += $", as {Multiplexer}(2) (libseccomp adds the multiplexed form on x86)";
        }
        return text;
    }
}

/// <summary>One rule as the filter sees it: an action under conditions that are ANDed.</summary>
internal sealed record ArchRule(SeccompAction Action, IReadOnlyList<ArgCondition> Conditions, RuleOrigin Origin);

/// <summary>
/// Why a rule or a name of a rule is not in the filter of an arch (or of every arch):
/// excluded by caps/arch/kernel, same action as the default, unknown name, or a name the
/// arch lacks. The last kind is common (every 64-bit-only name on x86, every 32-bit-only
/// name on x86_64) and read only by explanations, so its text is made when asked.
/// </summary>
internal sealed record RuleNote(SyscallRule Rule, string? Name, Arch.Arch? Arch, string? Detail)
{
    /// <summary>A name this arch has no syscall for.</summary>
    internal static RuleNote Absent(SyscallRule rule, string name, Arch.Arch arch) => new(rule, name, arch, null);

    internal string Reason => Detail ?? $"\"{Name}\" does not exist on {Arch?.Name}";
}
