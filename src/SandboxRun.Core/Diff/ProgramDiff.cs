using System.Globalization;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Diff;

/// <summary>
/// Where two profiles decide differently, found on their compiled programs: both programs
/// run in the <see cref="Interpreter"/> over every syscall number of every ABI of the
/// machine (past the end of the tables too, and the x32 range), and, for a syscall that
/// either profile filters by argument, over argument vectors around every constant of
/// both profiles' rules (±1, with the high 32 bits set, all ones). What the programs say
/// is the answer, so caps, kernel, runc's ENOSYS stub and libseccomp's rule merging all
/// count; the model (<see cref="FilterPolicy"/>) only words the conditions.
/// </summary>
internal static class ProgramDiff
{
    /// <summary>One difference: a syscall (or a run of unnamed numbers) of one ABI.</summary>
    internal sealed record Difference(
        Arch.Arch Abi,
        uint First,
        uint Last,
        string? Name,
        SeccompAction A,
        SeccompAction B,
        ulong[]? Args,
        int Vectors,
        string ADescription,
        string BDescription)
    {
        /// <summary><c>socket</c>, <c>nr 463-511</c>.</summary>
        internal string What =>
            Name ?? (First == Last ? $"nr {Number(First)}" : $"nr {Number(First)}-{Number(Last)}");

        private static string Number(uint nr) => nr < Arch.Arch.X32_SYSCALL_BIT ? nr.ToString(CultureInfo.InvariantCulture) : "0x" + nr.ToString("x", CultureInfo.InvariantCulture);
    }

    /// <summary>Every difference on one machine, ABI by ABI in the order of <see cref="TargetArch.AllArches"/>.</summary>
    internal static IReadOnlyList<Difference> Compare(FilterPolicy a, FilterPolicy b)
    {
        var programA = SeccompCompiler.Compile(a);
        var programB = SeccompCompiler.Compile(b);
        var found = new List<Difference>();
        foreach (var abi in a.Target.AllArches)
        {
            Difference? run = null;
            foreach (var nr in Numbers(abi, a, b))
            {
                var diff = CompareNumber(abi, nr, a, b, programA, programB);
                if (diff is null)
                {
                    Flush(ref run, found);
                    continue;
                }
                // Unnamed numbers with the same answers join one run.
                if (run is { Name: null } && diff.Name is null && run.Last + 1 == nr && run.A == diff.A && run.B == diff.B && run.Args is null && diff.Args is null)
                {
                    run = run with { Last = nr };
                    continue;
                }
                Flush(ref run, found);
                run = diff;
            }
            Flush(ref run, found);
        }
        return found;
    }

    private static void Flush(ref Difference? run, List<Difference> found)
    {
        if (run is not null)
        {
            found.Add(run);
            run = null;
        }
    }

    /// <summary>
    /// The numbers to try on an ABI: every number from the first to well past the last
    /// ordinary syscall; beyond that (arm's private calls at 0xf0001…) each table number, each
    /// ENOSYS boundary and their neighbours; then the edges of the 32-bit space. Between two
    /// of these points every number takes the same path through both programs, which
    /// compare the number only with those constants. x32 numbers carry bit 30.
    /// </summary>
    private static SortedSet<uint> Numbers(Arch.Arch abi, FilterPolicy a, FilterPolicy b)
    {
        var start = abi == Arch.Arch.X32 ? Arch.Arch.X32_SYSCALL_BIT : 0u;
        var dense = abi.Table.Select(e => e.Number).Where(n => n - start < 4096).Max() + 64;
        var points = new SortedSet<uint>();
        for (var n = start; n <= dense; n++)
        {
            points.Add(n);
        }
        var sparse = abi.Table.Select(e => e.Number).Where(n => n > dense)
            .Concat(new[] { a.For(abi)?.EnosysAbove, b.For(abi)?.EnosysAbove }.OfType<uint>());
        foreach (var n in sparse)
        {
            points.UnionWith([n - 1, n, n + 1]);
        }
        if (abi != Arch.Arch.X32)
        {
            // The edges of the 32-bit space, and on x86_64 the last number below the x32 range.
            points.UnionWith([Arch.Arch.X32_SYSCALL_BIT - 1, 0xFFFFFFFEu, 0xFFFFFFFFu]);
        }
        return points;
    }

    private static Difference? CompareNumber(Arch.Arch abi, uint nr, FilterPolicy a, FilterPolicy b, BpfProgram programA, BpfProgram programB)
    {
        var name = abi.NameOf(nr);
        var syscallA = a.For(abi)?.Find(nr);
        var syscallB = b.For(abi)?.Find(nr);
        var vectors = ArgumentVectors(syscallA, syscallB);
        Difference? first = null;
        var count = 0;
        foreach (var args in vectors)
        {
            var data = new SeccompData(nr, abi.AuditArch, 0, args);
            var ra = SeccompAction.FromReturnValue(Interpreter.Run(programA, data).ReturnValue);
            var rb = SeccompAction.FromReturnValue(Interpreter.Run(programB, data).ReturnValue);
            if (ra == rb)
            {
                continue;
            }
            count++;
            first ??= new Difference(abi, nr, nr, name, ra, rb, vectors.Count > 1 ? args : null, 0, Describe(a, abi, nr), Describe(b, abi, nr));
        }
        return first is null ? null : first with { Vectors = count };
    }

    /// <summary>
    /// What a profile does with one number, in words: an action, or the rules by argument
    /// and what is left (<c>SCMP_ACT_ALLOW if a0 &lt; 0x26 || a0 == 0x27; otherwise …</c>).
    /// </summary>
    internal static string Describe(FilterPolicy policy, Arch.Arch abi, uint nr)
    {
        var decision = PolicyEvaluator.Classify(policy, abi.AuditArch, nr);
        var why = decision.Source switch
        {
            DecisionSource.ForeignArch => " (the profile has no " + abi.Name + ")",
            DecisionSource.X32NotCovered => " (the profile has no x32)",
            DecisionSource.EnosysStub => " (runc's ENOSYS stub)",
            DecisionSource.EnosysUnknown => " (--enosys known)",
            DecisionSource.Default => " (default)",
            _ => "",
        };
        if (decision.Syscall is not { ReadsArguments: true } syscall)
        {
            return decision.Action + why;
        }
        var parts = syscall.Rules
            .GroupBy(r => r.Action)
            .Select(g => $"{g.Key} if {string.Join(" || ", g.Select(r => r.Conditions.Count == 0 ? "true" : string.Join(" && ", r.Conditions)))}");
        return $"{string.Join("; ", parts)}; otherwise {decision.Action}{why}";
    }

    /// <summary>
    /// Argument vectors for a syscall: all zeros when neither side reads arguments; else
    /// every constant of both sides' conditions and its neighbours, alone and on top of a
    /// vector that satisfies each rule.
    /// </summary>
    internal static IReadOnlyList<ulong[]> ArgumentVectors(SyscallPolicy? a, SyscallPolicy? b)
    {
        var zero = new ulong[6];
        if (a is not { ReadsArguments: true } && b is not { ReadsArguments: true })
        {
            return [zero];
        }
        var rules = (a?.Rules ?? []).Concat(b?.Rules ?? []).ToList();
        var values = new SortedSet<ulong>[6];
        for (var i = 0; i < 6; i++)
        {
            values[i] = [0, ulong.MaxValue];
        }
        foreach (var c in rules.SelectMany(r => r.Conditions))
        {
            foreach (var v in Around(c))
            {
                values[c.Index].Add(v);
            }
        }
        var bases = new List<ulong[]> { zero };
        foreach (var rule in rules)
        {
            var satisfying = new ulong[6];
            foreach (var c in rule.Conditions)
            {
                satisfying[c.Index] = Satisfying(c);
            }
            bases.Add(satisfying);
        }
        var seen = new HashSet<(ulong, ulong, ulong, ulong, ulong, ulong)>();
        var vectors = new List<ulong[]>();
        // Only the arguments some condition reads are varied; the others stay as the base has them.
        var read = Enumerable.Range(0, 6).Where(i => rules.Any(r => r.Conditions.Any(c => c.Index == i))).ToList();
        foreach (var start in bases)
        {
            Add(start);
            foreach (var i in read)
            {
                foreach (var v in values[i])
                {
                    var vector = (ulong[])start.Clone();
                    vector[i] = v;
                    Add(vector);
                }
            }
        }
        return vectors;

        void Add(ulong[] vector)
        {
            if (seen.Add((vector[0], vector[1], vector[2], vector[3], vector[4], vector[5])))
            {
                vectors.Add(vector);
            }
        }
    }

    private static IEnumerable<ulong> Around(ArgCondition c)
    {
        var datum = c.Op == CompareOp.MaskedEqual ? c.ValueTwo & c.Value : c.Value;
        foreach (var v in new[] { datum, c.Value, c.ValueTwo })
        {
            yield return v;
            yield return v - 1;
            yield return v + 1;
            // The high half set over the same low word: the argument-width cases.
            yield return (1UL << 32) | (uint)v;
            yield return 0xFFFFFFFF00000000UL | (uint)v;
            yield return (uint)v;
        }
        if (c.Op == CompareOp.MaskedEqual)
        {
            yield return datum | ~c.Value;
            yield return datum ^ c.Value;
        }
    }

    private static ulong Satisfying(ArgCondition c) =>
        c.Op switch
        {
            CompareOp.NotEqual => c.Value + 1,
            CompareOp.LessThan => c.Value - 1,
            CompareOp.GreaterThan => c.Value + 1,
            CompareOp.MaskedEqual => c.ValueTwo & c.Value,
            _ => c.Value,
        };
}
