using System.Globalization;
using System.Text;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// Prints a program one instruction a line, with absolute jump targets, and annotates what
/// it can prove: which seccomp_data field a load reads, which arch a path is on (from the
/// <c>jeq</c> on the arch word that led there), the syscall a number comparison names, and
/// the action a return gives. It reads any seccomp program, libseccomp's included.
/// </summary>
internal static class Disassembler
{
    private enum Source
    {
        Unknown,
        Nr,
        ArchWord,
        Arg,
    }

    /// <summary>What is known before an instruction: what A holds and which arch the path is on.</summary>
    private readonly record struct State(Source A, int ArgIndex, bool ArgHigh, uint? Arch, bool Reached)
    {
        internal static State Merge(State x, State y) =>
            !x.Reached ? y
            : !y.Reached ? x
            : new State(
                x.A == y.A && x.ArgIndex == y.ArgIndex && x.ArgHigh == y.ArgHigh ? x.A : Source.Unknown,
                x.ArgIndex,
                x.ArgHigh,
                x.Arch == y.Arch ? x.Arch : null,
                true);
    }

    internal static string Disassemble(BpfProgram program)
    {
        var code = program.Instructions;
        var states = new State[code.Length + 1];
        if (code.Length > 0)
        {
            states[0] = new State(Source.Unknown, 0, false, null, true);
        }
        var text = new StringBuilder();
        var width = Math.Max(4, (code.Length - 1).ToString(CultureInfo.InvariantCulture).Length);
        for (var pc = 0; pc < code.Length; pc++)
        {
            var insn = code[pc];
            var state = states[pc];
            var (line, note) = Render(insn, pc, state);
            text.Append(pc.ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(": ").Append(line);
            if (note.Length > 0)
            {
                text.Append(' ', Math.Max(1, 34 - line.Length)).Append("; ").Append(note);
            }
            text.Append('\n');
            Propagate(states, insn, pc, state);
        }
        return text.ToString();
    }

    private static void Propagate(State[] states, BpfInstruction insn, int pc, State state)
    {
        if (!state.Reached)
        {
            return;
        }
        void Flow(int target, State s)
        {
            if (target < states.Length)
            {
                states[target] = State.Merge(states[target], s);
            }
        }
        var cls = Class(insn.Code);
        if (insn.Code == (BPF_LD | BPF_W | BPF_ABS))
        {
            var s = insn.K switch
            {
                OffsetNr => state with { A = Source.Nr },
                OffsetArch => state with { A = Source.ArchWord },
                >= 16 and < SeccompDataSize => state with { A = Source.Arg, ArgIndex = (int)(insn.K - 16) / 8, ArgHigh = (insn.K & 4) != 0 },
                _ => state with { A = Source.Unknown },
            };
            Flow(pc + 1, s);
        }
        else if (cls == BPF_JMP && (insn.Code & 0xf0) == BPF_JA)
        {
            Flow(pc + 1 + (int)insn.K, state);
        }
        else if (cls == BPF_JMP)
        {
            var whenTrue = state;
            if (state.A == Source.ArchWord && (insn.Code & 0xf0) == BPF_JEQ && (insn.Code & BPF_X) == 0)
            {
                whenTrue = state with { Arch = insn.K };
            }
            Flow(pc + 1 + insn.Jt, whenTrue);
            Flow(pc + 1 + insn.Jf, state);
        }
        else if (cls != BPF_RET)
        {
            Flow(pc + 1, cls == BPF_ALU ? state with { A = state.A == Source.Arg ? Source.Arg : Source.Unknown } : state with { A = Source.Unknown });
        }
    }

    private static (string Line, string Note) Render(BpfInstruction insn, int pc, State state)
    {
        var cls = Class(insn.Code);
        switch (cls)
        {
            case BPF_LD when insn.Code == (BPF_LD | BPF_W | BPF_ABS):
                return ($"ld   [{insn.K}]", insn.K switch
                {
                    OffsetNr => "syscall number",
                    OffsetArch => "arch",
                    OffsetInstructionPointer or OffsetInstructionPointer + 4 => "instruction pointer",
                    >= 16 and < SeccompDataSize => $"a{(insn.K - 16) / 8} {((insn.K & 4) != 0 ? "high" : "low")} 32 bits",
                    _ => "",
                });
            case BPF_RET:
                return insn.Code == (BPF_RET | BPF_A)
                    ? ("ret  A", "")
                    : ($"ret  {ActionText(insn.K)}", "");
            case BPF_ALU:
                return ($"{AluName(insn.Code)} #{Hex(insn.K)}", "");
            case BPF_JMP when (insn.Code & 0xf0) == BPF_JA:
                return ($"ja   {pc + 1 + insn.K}", "");
            case BPF_JMP:
                var op = (insn.Code & 0xf0) switch
                {
                    BPF_JEQ => "jeq ",
                    BPF_JGT => "jgt ",
                    BPF_JGE => "jge ",
                    BPF_JSET => "jset",
                    _ => "j?  ",
                };
                var operand = (insn.Code & BPF_X) != 0 ? "x" : "#" + Hex(insn.K);
                var line = $"{op} {operand}, {pc + 1 + insn.Jt}, {pc + 1 + insn.Jf}";
                return (line, JumpNote(insn, state));
            default:
                return ($".word 0x{insn.Code:x4} {insn.Jt} {insn.Jf} 0x{insn.K:x}", "");
        }
    }

    private static string JumpNote(BpfInstruction insn, State state)
    {
        if ((insn.Code & BPF_X) != 0)
        {
            return "";
        }
        var relation = (insn.Code & 0xf0) switch
        {
            BPF_JEQ => "==",
            BPF_JGT => ">",
            BPF_JGE => ">=",
            _ => "&",
        };
        switch (state.A)
        {
            case Source.ArchWord:
                return $"arch {relation} {ArchName(insn.K)}";
            case Source.Nr when insn.K == Arch.Arch.X32_SYSCALL_BIT && state.Arch == Arch.Arch.AUDIT_ARCH_X86_64:
                return $"nr {relation} X32_SYSCALL_BIT";
            case Source.Nr:
                var name = SyscallName(state.Arch, insn.K);
                return name is null ? $"nr {relation} {insn.K}" : $"nr {relation} {insn.K} ({name})";
            case Source.Arg:
                return $"a{state.ArgIndex}.{(state.ArgHigh ? "hi" : "lo")} {relation} {Hex(insn.K)}";
            default:
                return "";
        }
    }

    private static string? SyscallName(uint? auditArch, uint nr)
    {
        if (auditArch is not { } arch)
        {
            return null;
        }
        var abi = arch == Arch.Arch.AUDIT_ARCH_X86_64 && nr >= Arch.Arch.X32_SYSCALL_BIT
            ? Arch.Arch.X32
            : Arch.Arch.All.FirstOrDefault(a => a.AuditArch == arch && a != Arch.Arch.X32);
        return abi?.NameOf(nr);
    }

    internal static string ArchName(uint auditArch) =>
        auditArch switch
        {
            Arch.Arch.AUDIT_ARCH_X86_64 => "AUDIT_ARCH_X86_64",
            Arch.Arch.AUDIT_ARCH_I386 => "AUDIT_ARCH_I386",
            Arch.Arch.AUDIT_ARCH_AARCH64 => "AUDIT_ARCH_AARCH64",
            Arch.Arch.AUDIT_ARCH_ARM => "AUDIT_ARCH_ARM",
            _ => "0x" + auditArch.ToString("x8", CultureInfo.InvariantCulture),
        };

    /// <summary><c>ALLOW</c>, <c>ERRNO(EPERM)</c>, <c>KILL_THREAD</c>, …: the action of a return value.</summary>
    internal static string ActionText(uint ret)
    {
        var action = SeccompAction.FromReturnValue(ret);
        return action.Kind switch
        {
            ActionKind.KillProcess => "KILL_PROCESS",
            ActionKind.KillThread => "KILL_THREAD",
            ActionKind.Trap => "TRAP",
            ActionKind.Errno => $"ERRNO({ErrnoNames.Describe(action.Data)})",
            ActionKind.Notify => "NOTIFY",
            ActionKind.Trace => $"TRACE({action.Data})",
            ActionKind.Log => "LOG",
            ActionKind.Allow => "ALLOW",
            _ => Hex(ret),
        };
    }

    private static string AluName(ushort code) =>
        (code & 0xf0) switch
        {
            BPF_ADD => "add ",
            BPF_SUB => "sub ",
            BPF_MUL => "mul ",
            BPF_DIV => "div ",
            BPF_AND => "and ",
            BPF_OR => "or  ",
            BPF_XOR => "xor ",
            BPF_LSH => "lsh ",
            BPF_RSH => "rsh ",
            _ => "alu?",
        };

    private static string Hex(uint v) => v < 10 ? v.ToString(CultureInfo.InvariantCulture) : "0x" + v.ToString("x", CultureInfo.InvariantCulture);
}
