using SandboxRun.Bpf;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// Finds the instructions of a program that compare the accumulator while it may hold
/// different seccomp_data words depending on the path taken: libseccomp 2.5.4 sometimes
/// omits a reload when it merges argument chains, so a comparison meant for <c>a0</c>'s
/// high word runs on its low word (or an arch check on a syscall number). A disagreement
/// whose path runs through such an instruction is that defect, not a difference of meaning.
/// </summary>
internal static class AccumulatorAnalysis
{
    internal static HashSet<int> AmbiguousComparisons(BpfProgram program)
    {
        var code = program.Instructions;
        // What A may hold before each instruction: offsets of loaded words, -1 for anything else.
        var sources = new HashSet<long>?[code.Length + 1];
        sources[0] = [-1];
        var ambiguous = new HashSet<int>();
        for (var pc = 0; pc < code.Length; pc++)
        {
            if (sources[pc] is not { } before)
            {
                continue;
            }
            var insn = code[pc];
            var cls = Class(insn.Code);
            HashSet<long> after = insn.Code == (BPF_LD | BPF_W | BPF_ABS) ? [insn.K]
                : cls == BPF_ALU ? [.. before.Select(s => s | (1L << 40))]
                : before;
            if (cls == BPF_JMP && (insn.Code & 0xf0) != BPF_JA && before.Count > 1)
            {
                ambiguous.Add(pc);
            }
            void Flow(int target)
            {
                if (target <= code.Length)
                {
                    (sources[target] ??= []).UnionWith(after);
                }
            }
            if (cls == BPF_JMP && (insn.Code & 0xf0) == BPF_JA)
            {
                Flow(pc + 1 + (int)insn.K);
            }
            else if (cls == BPF_JMP)
            {
                Flow(pc + 1 + insn.Jt);
                Flow(pc + 1 + insn.Jf);
            }
            else if (cls != BPF_RET)
            {
                Flow(pc + 1);
            }
        }
        return ambiguous;
    }
}
