using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// Runs a classic-BPF seccomp program on one <see cref="SeccompData"/> as the kernel would,
/// and counts the instructions executed. <see cref="Validate"/> applies the kernel's own
/// checks first (kernel/seccomp.c seccomp_check_filter, net/core/filter.c
/// bpf_check_classic), so a program the kernel would refuse is never "run" here.
/// Used by <c>check</c>, by the tests and by the benchmarks.
/// </summary>
internal static class Interpreter
{
    internal readonly record struct Result(uint ReturnValue, int Executed);

    internal static Result Run(BpfProgram program, in SeccompData data) => Run(program, data, null);

    /// <summary>Runs the program and records the index of every instruction executed.</summary>
    internal static Result Run(BpfProgram program, in SeccompData data, List<int>? trace)
    {
        var code = program.Instructions.AsSpan();
        uint a = 0, x = 0;
        Span<uint> mem = stackalloc uint[BPF_MEMWORDS];
        var executed = 0;
        for (var pc = 0; pc < code.Length; pc++)
        {
            var insn = code[pc];
            executed++;
            trace?.Add(pc);
            switch (insn.Code)
            {
                case BPF_LD | BPF_W | BPF_ABS:
                    a = data.Word(insn.K);
                    break;
                case BPF_LD | BPF_W | BPF_LEN:
                    a = SeccompDataSize;
                    break;
                case BPF_LDX | BPF_W | BPF_LEN:
                    x = SeccompDataSize;
                    break;
                case BPF_LD | BPF_IMM:
                    a = insn.K;
                    break;
                case BPF_LDX | BPF_IMM:
                    x = insn.K;
                    break;
                case BPF_LD | BPF_MEM:
                    a = mem[(int)insn.K];
                    break;
                case BPF_LDX | BPF_MEM:
                    x = mem[(int)insn.K];
                    break;
                case BPF_ST:
                    mem[(int)insn.K] = a;
                    break;
                case BPF_STX:
                    mem[(int)insn.K] = x;
                    break;
                case BPF_MISC | BPF_TAX:
                    x = a;
                    break;
                case BPF_MISC | BPF_TXA:
                    a = x;
                    break;
                case BPF_RET | BPF_K:
                    return new Result(insn.K, executed);
                case BPF_RET | BPF_A:
                    return new Result(a, executed);
                case BPF_JMP | BPF_JA:
                    pc += (int)insn.K;
                    break;
                default:
                    if (Class(insn.Code) == BPF_JMP)
                    {
                        var operand = (insn.Code & BPF_X) != 0 ? x : insn.K;
                        var taken = (insn.Code & 0xf0) switch
                        {
                            BPF_JEQ => a == operand,
                            BPF_JGT => a > operand,
                            BPF_JGE => a >= operand,
                            BPF_JSET => (a & operand) != 0,
                            _ => throw new InvalidOperationException($"bad jump at {pc}"),
                        };
                        pc += taken ? insn.Jt : insn.Jf;
                    }
                    else if (Class(insn.Code) == BPF_ALU)
                    {
                        var operand = (insn.Code & BPF_X) != 0 ? x : insn.K;
                        a = (insn.Code & 0xf0) switch
                        {
                            BPF_ADD => a + operand,
                            BPF_SUB => a - operand,
                            BPF_MUL => a * operand,
                            BPF_DIV => operand == 0 ? 0 : a / operand,
                            BPF_AND => a & operand,
                            BPF_OR => a | operand,
                            BPF_XOR => a ^ operand,
                            BPF_LSH => operand >= 32 ? 0 : a << (int)operand,
                            BPF_RSH => operand >= 32 ? 0 : a >> (int)operand,
                            BPF_NEG => (uint)-(int)a,
                            _ => throw new InvalidOperationException($"bad alu op at {pc}"),
                        };
                        if ((insn.Code & 0xf0) == BPF_DIV && operand == 0)
                        {
                            // A division by a zero X ends the program with 0 (classic BPF).
                            return new Result(0, executed);
                        }
                    }
                    else
                    {
                        throw new InvalidOperationException($"opcode 0x{insn.Code:x4} at {pc} is not allowed in seccomp");
                    }
                    break;
            }
        }
        throw new InvalidOperationException("the program ran off its end");
    }

    /// <summary>
    /// The kernel's checks, as a list of problems (empty when the kernel would accept the
    /// program): length 1..4096, only the opcodes seccomp allows, aligned loads inside
    /// seccomp_data, jumps inside the program, scratch slots in range, a return at the end.
    /// </summary>
    internal static IReadOnlyList<string> Validate(BpfProgram program)
    {
        var problems = new List<string>();
        var code = program.Instructions;
        if (code.Length is 0 or > BPF_MAXINSNS)
        {
            problems.Add($"the program has {code.Length} instructions; the kernel takes 1 to {BPF_MAXINSNS}");
            return problems;
        }
        for (var pc = 0; pc < code.Length; pc++)
        {
            var insn = code[pc];
            var ok = insn.Code switch
            {
                BPF_LD | BPF_W | BPF_ABS => insn.K < SeccompDataSize && (insn.K & 3) == 0,
                BPF_LD | BPF_W | BPF_LEN or BPF_LDX | BPF_W | BPF_LEN => true,
                BPF_LD | BPF_IMM or BPF_LDX | BPF_IMM => true,
                BPF_LD | BPF_MEM or BPF_LDX | BPF_MEM or BPF_ST or BPF_STX => insn.K < BPF_MEMWORDS,
                BPF_MISC | BPF_TAX or BPF_MISC | BPF_TXA => true,
                BPF_RET | BPF_K or BPF_RET | BPF_A => true,
                BPF_JMP | BPF_JA => insn.K < (uint)(code.Length - pc - 1),
                BPF_ALU | BPF_NEG => true,
                _ => ValidJumpOrAlu(insn, pc, code.Length),
            };
            if (!ok)
            {
                problems.Add($"instruction {pc} (code 0x{insn.Code:x4}, jt {insn.Jt}, jf {insn.Jf}, k 0x{insn.K:x}) is not accepted by the kernel");
            }
        }
        if (Class(code[^1].Code) != BPF_RET)
        {
            problems.Add("the last instruction is not a return");
        }
        return problems;
    }

    private static bool ValidJumpOrAlu(BpfInstruction insn, int pc, int length)
    {
        var op = (ushort)(insn.Code & 0xf0);
        var src = (ushort)(insn.Code & 0x08);
        if (Class(insn.Code) == BPF_JMP)
        {
            return op is BPF_JEQ or BPF_JGT or BPF_JGE or BPF_JSET
                && (insn.Code & ~(0xf0 | 0x08 | 0x07)) == 0
                && pc + 1 + insn.Jt < length
                && pc + 1 + insn.Jf < length;
        }
        if (Class(insn.Code) == BPF_ALU)
        {
            // seccomp allows no BPF_MOD; a division by a constant zero is refused.
            return op is BPF_ADD or BPF_SUB or BPF_MUL or BPF_DIV or BPF_AND or BPF_OR or BPF_XOR or BPF_LSH or BPF_RSH
                && (insn.Code & ~(0xf0 | 0x08 | 0x07)) == 0
                && !(op == BPF_DIV && src == BPF_K && insn.K == 0);
        }
        return false;
    }
}
