using SandboxRun.Policy;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// The argument checks of one syscall: each rule's conditions in turn; the first rule whose
/// conditions all hold returns its action; when none does, the default action.
/// A 64-bit condition is decided on two 32-bit words, high word first; on 32-bit ABIs only
/// the low word exists (libseccomp truncates the value likewise).
/// </summary>
internal static class ArgumentCode
{
    internal static void Emit(Assembler asm, SyscallPolicy syscall, SeccompAction fallback)
    {
        foreach (var rule in syscall.Effective)
        {
            var fail = asm.NewLabel();
            foreach (var condition in rule.Conditions)
            {
                var pass = asm.NewLabel();
                EmitCondition(asm, condition, syscall.Is64Bit, pass, fail);
                asm.Mark(pass);
            }
            asm.Return(rule.Action.ReturnValue);
            asm.Mark(fail);
        }
        asm.Return(fallback.ReturnValue);
    }

    /// <summary>Jumps to <paramref name="pass"/> when the condition holds, else to <paramref name="fail"/>.</summary>
    private static void EmitCondition(Assembler asm, ArgCondition c, bool wide, Assembler.Label pass, Assembler.Label fail)
    {
        var lo = (uint)c.Value;
        var hi = (uint)(c.Value >> 32);
        var lowOffset = OffsetArgLow(c.Index);
        var highOffset = OffsetArgHigh(c.Index);
        if (!wide)
        {
            asm.Load(lowOffset);
            EmitWord(asm, c.Op, lo, (uint)c.ValueTwo & lo, pass, fail);
            return;
        }
        var checkLow = asm.NewLabel();
        switch (c.Op)
        {
            case CompareOp.Equal:
                // hi == H && lo == L
                asm.Load(highOffset);
                asm.JumpIf(BPF_JEQ, hi, checkLow, fail);
                asm.Mark(checkLow);
                asm.Load(lowOffset);
                asm.JumpIf(BPF_JEQ, lo, pass, fail);
                break;
            case CompareOp.NotEqual:
                // hi != H || lo != L
                asm.Load(highOffset);
                asm.JumpIf(BPF_JEQ, hi, checkLow, pass);
                asm.Mark(checkLow);
                asm.Load(lowOffset);
                asm.JumpIf(BPF_JEQ, lo, fail, pass);
                break;
            case CompareOp.GreaterThan:
            case CompareOp.GreaterOrEqual:
                // hi > H || (hi == H && lo > L)      (>= L for GE)
                {
                    var equalHigh = asm.NewLabel();
                    asm.Load(highOffset);
                    asm.JumpIf(BPF_JGT, hi, pass, equalHigh);
                    asm.Mark(equalHigh);
                    asm.JumpIf(BPF_JEQ, hi, checkLow, fail);
                    asm.Mark(checkLow);
                    asm.Load(lowOffset);
                    asm.JumpIf(c.Op == CompareOp.GreaterThan ? BPF_JGT : BPF_JGE, lo, pass, fail);
                }
                break;
            case CompareOp.LessThan:
            case CompareOp.LessOrEqual:
                // hi < H || (hi == H && lo < L)      (<= L for LE): the negation of GE (GT)
                {
                    var equalHigh = asm.NewLabel();
                    asm.Load(highOffset);
                    asm.JumpIf(BPF_JGT, hi, fail, equalHigh);
                    asm.Mark(equalHigh);
                    asm.JumpIf(BPF_JEQ, hi, checkLow, pass);
                    asm.Mark(checkLow);
                    asm.Load(lowOffset);
                    asm.JumpIf(c.Op == CompareOp.LessThan ? BPF_JGE : BPF_JGT, lo, fail, pass);
                }
                break;
            case CompareOp.MaskedEqual:
                // (hi & MH) == DH && (lo & ML) == DL
                {
                    var maskHigh = hi;
                    var dataHigh = (uint)(c.ValueTwo >> 32);
                    asm.Load(highOffset);
                    EmitMasked(asm, maskHigh, dataHigh & maskHigh, checkLow, fail);
                    asm.Mark(checkLow);
                    asm.Load(lowOffset);
                    EmitMasked(asm, lo, (uint)c.ValueTwo & lo, pass, fail);
                }
                break;
        }
    }

    /// <summary>One 32-bit comparison of A (a 32-bit ABI's whole argument).</summary>
    private static void EmitWord(Assembler asm, CompareOp op, uint k, uint data, Assembler.Label pass, Assembler.Label fail)
    {
        switch (op)
        {
            case CompareOp.Equal:
                asm.JumpIf(BPF_JEQ, k, pass, fail);
                break;
            case CompareOp.NotEqual:
                asm.JumpIf(BPF_JEQ, k, fail, pass);
                break;
            case CompareOp.GreaterThan:
                asm.JumpIf(BPF_JGT, k, pass, fail);
                break;
            case CompareOp.GreaterOrEqual:
                asm.JumpIf(BPF_JGE, k, pass, fail);
                break;
            case CompareOp.LessThan:
                asm.JumpIf(BPF_JGE, k, fail, pass);
                break;
            case CompareOp.LessOrEqual:
                asm.JumpIf(BPF_JGT, k, fail, pass);
                break;
            case CompareOp.MaskedEqual:
                EmitMasked(asm, k, data, pass, fail);
                break;
        }
    }

    /// <summary>(A &amp; mask) == data, without the <c>and</c> where the mask keeps every bit.</summary>
    private static void EmitMasked(Assembler asm, uint mask, uint data, Assembler.Label pass, Assembler.Label fail)
    {
        if (mask != uint.MaxValue)
        {
            asm.And(mask);
        }
        asm.JumpIf(BPF_JEQ, data, pass, fail);
    }
}
