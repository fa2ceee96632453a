using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// <see cref="FilterPolicy"/> → <see cref="BpfProgram"/>.
///
/// The pipeline, end to end:
/// <code>
///   profile.json ─ProfileReader→ Profile ─PolicyResolver→ FilterPolicy ─SeccompCompiler→ BpfProgram ─Launcher→ kernel
/// </code>
/// The program has this shape:
/// <code>
///   ld [arch]; jeq each AUDIT_ARCH of the filter → its block; ret KILL_THREAD   (foreign arch)
///   block:  ld [nr]; a balanced tree of jge over number ranges → leaves
///   leaf:   ret ACTION                  (every number of the range decides alike)
///        |  argument checks → ret ...   (a syscall with conditional rules)
/// </code>
/// The ranges come from <see cref="PolicyEvaluator.Classify"/>, so runc's ENOSYS stub, the
/// x32 split and <c>--enosys known</c> are just ranges like any other. Every path that ends
/// without reading an argument uses only <c>ld</c> of nr/arch, <c>jeq/jge/jgt/jset #k</c>,
/// <c>ja</c> and <c>ret #k</c>: the instructions the kernel's action cache can evaluate
/// (kernel/seccomp.c seccomp_cache_prepare), so it skips the filter for those syscalls.
/// </summary>
internal static class SeccompCompiler
{
    internal static BpfProgram Compile(FilterPolicy policy)
    {
        var asm = new Assembler();
        var auditArches = policy.Arches.Select(a => a.Arch.AuditArch).Distinct().ToList();
        var blocks = auditArches.Select(_ => asm.NewLabel()).ToList();

        asm.Load(OffsetArch);
        for (var i = 0; i < auditArches.Count; i++)
        {
            var next = asm.NewLabel();
            asm.JumpIf(BPF_JEQ, auditArches[i], blocks[i], next);
            asm.Mark(next);
        }
        asm.Return(FilterPolicy.BadArchAction.ReturnValue);

        for (var i = 0; i < auditArches.Count; i++)
        {
            asm.Mark(blocks[i]);
            asm.Load(OffsetNr);
            var ranges = Ranges(policy, auditArches[i]);
            EmitTree(asm, policy, ranges, 0, ranges.Count - 1);
        }

        var program = asm.Assemble();
        if (program.Length > BPF_MAXINSNS)
        {
            throw new PolicyException(
                $"{policy.Profile.Source}: the filter for {policy.Target} needs {program.Length} instructions; the kernel takes at most {BPF_MAXINSNS} per filter (split the profile into several --profile layers)");
        }
        var problems = Interpreter.Validate(program);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("the compiler produced a program the kernel would refuse: " + string.Join("; ", problems));
        }
        return program;
    }

    /// <summary>A run of numbers [First, Last] that all reach the same outcome.</summary>
    internal sealed record NumberRange(uint First, uint Last, Decision Outcome);

    /// <summary>
    /// Cuts the 32-bit number space of one arch value into ranges of equal outcome. The
    /// outcome can only change at a syscall number, one past it, a multiple of the x32 bit,
    /// or one past a stub boundary, so testing one number of each piece between those points
    /// tells the outcome of the whole piece.
    /// </summary>
    internal static List<NumberRange> Ranges(FilterPolicy policy, uint auditArch)
    {
        var cuts = new SortedSet<uint> { 0, Arch.Arch.X32_SYSCALL_BIT, 2 * Arch.Arch.X32_SYSCALL_BIT, 3 * Arch.Arch.X32_SYSCALL_BIT, uint.MaxValue };
        foreach (var block in policy.Arches.Where(a => a.Arch.AuditArch == auditArch))
        {
            foreach (var s in block.Syscalls)
            {
                AddCut(cuts, s.Number);
            }
            if (block.EnosysAbove is { } max)
            {
                AddCut(cuts, max);
            }
            if (policy.Enosys == EnosysMode.Known)
            {
                foreach (var e in block.Arch.Table)
                {
                    AddCut(cuts, e.Number);
                }
            }
        }

        var ranges = new List<NumberRange>();
        var starts = cuts.ToList();
        for (var i = 0; i < starts.Count; i++)
        {
            var first = starts[i];
            var last = i + 1 < starts.Count ? starts[i + 1] - 1 : uint.MaxValue;
            var outcome = PolicyEvaluator.Classify(policy, auditArch, first);
            if (ranges.Count > 0 && SameLeaf(ranges[^1].Outcome, outcome))
            {
                ranges[^1] = ranges[^1] with { Last = last };
            }
            else
            {
                ranges.Add(new NumberRange(first, last, outcome));
            }
        }
        return ranges;
    }

    private static void AddCut(SortedSet<uint> cuts, uint number)
    {
        cuts.Add(number);
        if (number != uint.MaxValue)
        {
            cuts.Add(number + 1);
        }
    }

    /// <summary>Two outcomes share a leaf when neither reads arguments and both return the same.</summary>
    private static bool SameLeaf(Decision a, Decision b) =>
        !NeedsArguments(a) && !NeedsArguments(b) && a.Action == b.Action;

    private static bool NeedsArguments(Decision d) => d.Syscall is { ReadsArguments: true };

    /// <summary>
    /// A balanced binary tree over ranges[lo..hi]: <c>jge #start(mid)</c> splits them; the
    /// lower half follows inline, the upper half after it.
    /// </summary>
    private static void EmitTree(Assembler asm, FilterPolicy policy, List<NumberRange> ranges, int lo, int hi)
    {
        if (lo == hi)
        {
            EmitLeaf(asm, policy, ranges[lo].Outcome);
            return;
        }
        var mid = (lo + hi + 1) / 2;
        var upper = asm.NewLabel();
        var lower = asm.NewLabel();
        asm.JumpIf(BPF_JGE, ranges[mid].First, upper, lower);
        asm.Mark(lower);
        EmitTree(asm, policy, ranges, lo, mid - 1);
        asm.Mark(upper);
        EmitTree(asm, policy, ranges, mid, hi);
    }

    private static void EmitLeaf(Assembler asm, FilterPolicy policy, Decision outcome)
    {
        if (!NeedsArguments(outcome))
        {
            asm.Return(outcome.Action.ReturnValue);
            return;
        }
        ArgumentCode.Emit(asm, outcome.Syscall!, policy.DefaultAction);
    }
}
