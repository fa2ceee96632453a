using System.Globalization;
using SandboxRun.Bpf;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// Says why a syscall gets its action: which JSON rule decided, or that the default applied
/// and what kept each rule naming the syscall from deciding (a false condition, moby's
/// includes/excludes, runc dropping it, the name missing on the ABI).
/// </summary>
internal static class Explainer
{
    internal sealed record Explanation(SyscallQuery Query, Decision Decision, IReadOnlyList<string> Why)
    {
        internal string Call => $"{Query.Name}({string.Join(", ", Query.Args.Take(Query.ArgCount).Select(Format))})";
    }

    internal static Explanation Explain(FilterPolicy policy, SyscallQuery query)
    {
        var data = new SeccompData(query.Number, query.AuditArch, 0, query.Args);
        var decision = PolicyEvaluator.Decide(policy, data);
        var why = new List<string>();
        var abiName = query.Abi.Name;
        switch (decision.Source)
        {
            case DecisionSource.ForeignArch:
                why.Add($"the profile covers no {abiName} ABI: calls from it get {FilterPolicy.BadArchAction} (libseccomp's bad-arch action)");
                break;
            case DecisionSource.X32NotCovered:
                why.Add($"an x32 call (bit 30 set) and the profile has no SCMP_ARCH_X32: {FilterPolicy.BadArchAction}");
                break;
            case DecisionSource.EnosysStub:
                var max = policy.For(decision.Arch!)!.EnosysAbove ?? 0;
                why.Add($"runc's ENOSYS stub: {query.Number} is above {max} ({decision.Arch!.NameOf(max)}), the highest syscall the profile names on {decision.Arch.Name}; libc treats ENOSYS as \"not implemented\" and falls back (--enosys off turns this off)");
                break;
            case DecisionSource.EnosysUnknown:
                why.Add($"--enosys known: {query.Number} is no syscall of {decision.Arch!.Name} in Linux {Arch.SyscallTables.KernelVersion}");
                break;
            case DecisionSource.Rule when decision.Rule is { } rule:
                var conditions = rule.Conditions.Count == 0 || decision.Syscall!.Unconditional is not null
                    ? "unconditionally"
                    : "because " + string.Join(" and ", rule.Conditions.Select(c => $"{c} (a{c.Index} = {Format(query.Args[c.Index])})"));
                why.Add($"{rule.Origin}: {rule.Action} {conditions}");
                break;
            case DecisionSource.Rule:
                why.Add($"libseccomp's merged rules for {query.Name} give {decision.Action}; no single rule of the profile says so for these arguments");
                break;
            case DecisionSource.Default:
                why.Add($"no rule matched: the default action {policy.DefaultAction}");
                break;
        }

        // What the other rules naming this syscall did.
        if (decision.Syscall is { } syscall)
        {
            foreach (var r in syscall.Rules)
            {
                if (ReferenceEquals(r, decision.Rule))
                {
                    continue;
                }
                if (syscall.Unconditional is not null)
                {
                    why.Add($"{r.Origin}: {r.Action} does not count: an unconditional rule for {syscall.Name} decides every call (libseccomp keeps the first one)");
                    continue;
                }
                var failed = r.Conditions.FirstOrDefault(c => !syscall.Holds(c, query.Args[c.Index]));
                why.Add(failed is null
                    ? $"{r.Origin}: {r.Action} also matches, but libseccomp tests rules by argument (highest index first), and the decision is {decision.Action}"
                    : $"{r.Origin}: {r.Action} if {string.Join(" && ", r.Conditions)}: {failed} is false (a{failed.Index} = {Format(query.Args[failed.Index])})");
            }
        }
        foreach (var note in policy.Notes)
        {
            var names = note.Name is null ? note.Rule.Names : [note.Name];
            if (names.Contains(query.Name) && (note.Arch is null || note.Arch == query.Abi))
            {
                why.Add($"{note.Rule.Path} ({query.Name}): {note.Rule.Action} is not in the filter: {note.Reason}");
            }
        }
        return new Explanation(query, decision, why);
    }

    internal static string Format(ulong v) => v < 4096 ? v.ToString(CultureInfo.InvariantCulture) : "0x" + v.ToString("x", CultureInfo.InvariantCulture);
}
