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
///   ld [arch]; jeq each AUDIT_ARCH of the filter → its block, the last one else → KILL_THREAD
///   block:  ld [nr]; a decision tree of jge/jeq over number ranges → leaves  (DispatchPlanner)
///   leaf:   a shared ret ACTION          (every number of the range decides alike)
///        |  argument checks → shared rets (a syscall with conditional rules; ArgumentCode)
///   pools:  one ret per action, placed within reach of the branches that use it (ReturnPool)
/// </code>
/// An arch whose whole number space decides alike gets no block: its jeq goes straight to
/// the return. The ranges come from <see cref="PolicyEvaluator.Classify"/>, so runc's ENOSYS
/// stub, the x32 split and <c>--enosys known</c> are leaves of the same tree, not tests in
/// front of it. Every path that ends without reading an argument uses only <c>ld</c> of
/// nr/arch, <c>jeq/jge #k</c> and <c>ret #k</c> (plus a <c>ja</c> where a jump is long): the
/// instructions the kernel's action cache can evaluate (kernel/seccomp.c
/// seccomp_is_const_allow, emulated by <see cref="ActionCache"/>), so it skips the filter
/// for those syscalls altogether.
///
/// The tree is shaped by how often the filter meets each range (<see cref="Weight"/>): the
/// kernel caches the syscalls allowed without arguments, so the ones it runs the filter for
/// are those with argument checks, then allowed calls of the ABIs the cache does not cover
/// well; denied calls are rare in a working program.
/// </summary>
internal static class SeccompCompiler
{
    internal static BpfProgram Compile(FilterPolicy policy)
    {
        var asm = new Assembler();
        var returns = new ReturnPool(asm);
        var auditArches = new List<uint>(policy.Arches.Count);
        foreach (var a in policy.Arches)
        {
            if (!auditArches.Contains(a.Arch.AuditArch))
            {
                auditArches.Add(a.Arch.AuditArch);
            }
        }
        var blocks = new List<(Assembler.Label Label, List<NumberRange> Ranges, List<DispatchPlanner.Item> Items, DispatchPlanner.Node Plan)>();

        asm.Load(OffsetArch);
        for (var i = 0; i < auditArches.Count; i++)
        {
            var ranges = Ranges(policy, auditArches[i]);
            var items = Items(policy, ranges);
            var plan = Plan(policy, auditArches[i], items);
            Assembler.Label entry;
            if (plan is DispatchPlanner.Leaf leaf && !NeedsArguments(ranges[leaf.Range].Outcome))
            {
                entry = returns.For(ranges[leaf.Range].Outcome.Action.ReturnValue);
            }
            else
            {
                entry = asm.NewLabel();
                blocks.Add((entry, ranges, items, plan));
            }
            var last = i == auditArches.Count - 1;
            var next = last ? returns.For(FilterPolicy.BadArchAction.ReturnValue) : asm.NewLabel();
            asm.JumpIf(BPF_JEQ, auditArches[i], entry, next);
            if (!last)
            {
                asm.Mark(next);
            }
        }
        if (auditArches.Count == 0)
        {
            asm.Return(FilterPolicy.BadArchAction.ReturnValue);
        }

        foreach (var (label, ranges, items, plan) in blocks)
        {
            returns.FlushIfFar();
            asm.Mark(label);
            asm.Load(OffsetNr);
            EmitBlock(asm, returns, policy, ranges, items, plan);
        }
        returns.Flush();

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
    internal readonly record struct NumberRange(uint First, uint Last, Classification Outcome);

    /// <summary>
    /// Cuts the 32-bit number space of one arch value into ranges of equal outcome. The
    /// outcome can only change at a syscall number, one past it, a multiple of the x32 bit,
    /// or one past a stub boundary, so testing one number of each piece between those points
    /// tells the outcome of the whole piece.
    /// </summary>
    internal static List<NumberRange> Ranges(FilterPolicy policy, uint auditArch)
    {
        var cuts = new List<uint>(1024) { 0, Arch.Arch.X32_SYSCALL_BIT, 2 * Arch.Arch.X32_SYSCALL_BIT, 3 * Arch.Arch.X32_SYSCALL_BIT, uint.MaxValue };
        var arches = policy.Arches;
        for (var a = 0; a < arches.Count; a++)
        {
            var block = arches[a];
            if (block.Arch.AuditArch != auditArch)
            {
                continue;
            }
            var syscalls = block.Syscalls;
            for (var i = 0; i < syscalls.Count; i++)
            {
                AddCut(cuts, syscalls[i].Number);
            }
            if (block.EnosysAbove is { } max)
            {
                AddCut(cuts, max);
            }
            if (policy.Enosys == EnosysMode.Known)
            {
                foreach (var number in block.Arch.Numbers)
                {
                    AddCut(cuts, number);
                }
            }
        }
        cuts.Sort();

        var ranges = new List<NumberRange>();
        for (var i = 0; i < cuts.Count; i++)
        {
            var first = cuts[i];
            if (i > 0 && cuts[i - 1] == first)
            {
                continue;
            }
            var next = i + 1;
            while (next < cuts.Count && cuts[next] == first)
            {
                next++;
            }
            var last = next < cuts.Count ? cuts[next] - 1 : uint.MaxValue;
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

    private static void AddCut(List<uint> cuts, uint number)
    {
        cuts.Add(number);
        if (number != uint.MaxValue)
        {
            cuts.Add(number + 1);
        }
    }

    /// <summary>
    /// Two outcomes share a leaf when neither reads arguments and both return the same, or
    /// when both check arguments with the same tree (one rule naming several syscalls).
    /// </summary>
    private static bool SameLeaf(in Classification a, in Classification b) =>
        NeedsArguments(a) == NeedsArguments(b)
        && a.Action == b.Action
        && (!NeedsArguments(a) || SameTree(a.Syscall!, b.Syscall!));

    /// <summary>Whether two syscalls check their arguments alike: equal trees, on ABIs of the same width.</summary>
    private static bool SameTree(SyscallPolicy a, SyscallPolicy b) =>
        ReferenceEquals(a, b) || (a.Is64Bit == b.Is64Bit && SameLevel(a.Tree, b.Tree));

    private static bool SameLevel(DecisionLevel? a, DecisionLevel? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (a.Nodes.Length != b.Nodes.Length)
        {
            return false;
        }
        for (var i = 0; i < a.Nodes.Length; i++)
        {
            DecisionNode x = a.Nodes[i], y = b.Nodes[i];
            if (x.Arg != y.Arg || x.High != y.High || x.Op != y.Op || x.Mask != y.Mask || x.Datum != y.Datum
                || x.ActionTrue?.ReturnValue != y.ActionTrue?.ReturnValue || x.ActionFalse?.ReturnValue != y.ActionFalse?.ReturnValue
                || !SameLevel(x.ChildTrue, y.ChildTrue) || !SameLevel(x.ChildFalse, y.ChildFalse))
            {
                return false;
            }
        }
        return true;
    }

    private static bool NeedsArguments(in Classification d) => d.Syscall is { ReadsArguments: true };

    // How often the filter meets a range, in relative units (see Weight).
    private const long PerMainCall = 64;
    private const long PerCompatCall = 8;
    private const long PerArgumentCall = 64 * PerMainCall;
    private const long PerDeniedCall = 1;

    /// <summary>What one more test instruction in the program is worth: one main-ABI call one step deeper.</summary>
    private const long TestCost = PerMainCall;

    /// <summary>
    /// How often the filter meets a range: a syscall with argument checks every time it is
    /// made (the kernel cannot cache it), so most; then each allowed syscall of the main ABI
    /// (the measure, and what uncached filters run most), far less for the compat
    /// ABIs, and denied calls least: a working program rarely makes them. Numbers that are
    /// no syscall of the ABI count nothing; each range counts one on top, so none is free.
    /// </summary>
    private static long Weight(FilterPolicy policy, NumberRange range)
    {
        var outcome = range.Outcome;
        if (NeedsArguments(outcome))
        {
            return PerArgumentCall;
        }
        var calls = outcome.Arch is { } abi ? abi.CountIn(range.First, range.Last) : 0;
        var each = !outcome.Action.Permits ? PerDeniedCall : outcome.Arch == policy.Target.Main ? PerMainCall : PerCompatCall;
        return 1 + (calls * each);
    }

    private static List<DispatchPlanner.Item> Items(FilterPolicy policy, List<NumberRange> ranges)
    {
        var items = new List<DispatchPlanner.Item>(ranges.Count);
        // The first range of each distinct argument check (action and tree): few per profile.
        var checks = new List<int>();
        for (var i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            // Ranges that share a leaf share an outcome key; argument leaves by their tree.
            long outcome = r.Outcome.Action.ReturnValue;
            if (NeedsArguments(r.Outcome))
            {
                var first = checks.FindIndex(c => ranges[c].Outcome.Action.ReturnValue == r.Outcome.Action.ReturnValue && SameTree(ranges[c].Outcome.Syscall!, r.Outcome.Syscall!));
                if (first < 0)
                {
                    checks.Add(i);
                    first = checks.Count - 1;
                }
                outcome = -1 - checks[first];
            }
            items.Add(new DispatchPlanner.Item(r.First, r.First == r.Last, outcome, Weight(policy, r)));
        }
        return items;
    }

    /// <summary>
    /// The dispatch of one arch value: the fastest tree for its weights, unless that needs
    /// more tests than libseccomp's program has at least (one jeq per syscall with a rule,
    /// plus the x32 and stub checks); then the smallest tree, fastest among the smallest.
    /// </summary>
    private static DispatchPlanner.Node Plan(FilterPolicy policy, uint auditArch, List<DispatchPlanner.Item> items)
    {
        var plan = DispatchPlanner.Plan(items, TestCost);
        long budget = 0;
        foreach (var block in policy.Arches)
        {
            if (block.Arch.AuditArch != auditArch)
            {
                continue;
            }
            budget += block.Syscalls.Count + (block.EnosysAbove is null ? 0 : 1) + (auditArch == Arch.Arch.AUDIT_ARCH_X86_64 ? 2 : 0);
        }
        if (DispatchPlanner.Tests(plan) <= budget)
        {
            return plan;
        }
        long total = 0;
        foreach (var item in items)
        {
            total += item.Weight;
        }
        return DispatchPlanner.Plan(items, total + TestCost);
    }

    private static int CountOf(List<DispatchPlanner.Item> items, long outcome)
    {
        var count = 0;
        foreach (var item in items)
        {
            count += item.Outcome == outcome ? 1 : 0;
        }
        return count;
    }

    /// <summary>
    /// Emits a block's plan. A plain leaf is a jump to the shared return; a syscall with
    /// argument checks has its code right behind the test that reaches it.
    /// </summary>
    private static void EmitBlock(Assembler asm, ReturnPool returns, FilterPolicy policy, List<NumberRange> ranges, List<DispatchPlanner.Item> items, DispatchPlanner.Node plan)
    {
        // Argument checks that several ranges share (one rule naming several syscalls) are
        // placed once, behind the tree; the others right behind the test that reaches them.
        var shared = new List<(int Range, Assembler.Label Label)>();
        DispatchPlanner.Emit(asm, returns, plan, i =>
        {
            var outcome = ranges[i].Outcome;
            if (!NeedsArguments(outcome))
            {
                return new DispatchPlanner.LeafCode(returns.For(outcome.Action.ReturnValue), null);
            }
            var key = items[i].Outcome;
            if (CountOf(items, key) == 1)
            {
                return new DispatchPlanner.LeafCode(asm.NewLabel(), () => ArgumentCode.Emit(asm, returns, outcome.Syscall!, policy.DefaultAction));
            }
            foreach (var (range, label) in shared)
            {
                if (items[range].Outcome == key)
                {
                    return new DispatchPlanner.LeafCode(label, null);
                }
            }
            shared.Add((i, asm.NewLabel()));
            return new DispatchPlanner.LeafCode(shared[^1].Label, null);
        });
        foreach (var (range, label) in shared)
        {
            returns.FlushIfFar();
            asm.Mark(label);
            ArgumentCode.Emit(asm, returns, ranges[range].Outcome.Syscall!, policy.DefaultAction);
        }
    }
}
