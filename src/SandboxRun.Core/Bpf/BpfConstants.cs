namespace SandboxRun.Bpf;

/// <summary>
/// Classic-BPF opcode parts, /usr/include/linux/bpf_common.h, with their C spelling.
/// </summary>
internal static class BpfConstants
{
    // Instruction classes.
    internal const ushort BPF_LD = 0x00;
    internal const ushort BPF_LDX = 0x01;
    internal const ushort BPF_ST = 0x02;
    internal const ushort BPF_STX = 0x03;
    internal const ushort BPF_ALU = 0x04;
    internal const ushort BPF_JMP = 0x05;
    internal const ushort BPF_RET = 0x06;
    internal const ushort BPF_MISC = 0x07;

    // ld/ldx sizes and modes.
    internal const ushort BPF_W = 0x00;
    internal const ushort BPF_H = 0x08;
    internal const ushort BPF_B = 0x10;
    internal const ushort BPF_IMM = 0x00;
    internal const ushort BPF_ABS = 0x20;
    internal const ushort BPF_IND = 0x40;
    internal const ushort BPF_MEM = 0x60;
    internal const ushort BPF_LEN = 0x80;
    internal const ushort BPF_MSH = 0xa0;

    // alu operations.
    internal const ushort BPF_ADD = 0x00;
    internal const ushort BPF_SUB = 0x10;
    internal const ushort BPF_MUL = 0x20;
    internal const ushort BPF_DIV = 0x30;
    internal const ushort BPF_OR = 0x40;
    internal const ushort BPF_AND = 0x50;
    internal const ushort BPF_LSH = 0x60;
    internal const ushort BPF_RSH = 0x70;
    internal const ushort BPF_NEG = 0x80;
    internal const ushort BPF_MOD = 0x90;
    internal const ushort BPF_XOR = 0xa0;

    // jmp operations.
    internal const ushort BPF_JA = 0x00;
    internal const ushort BPF_JEQ = 0x10;
    internal const ushort BPF_JGT = 0x20;
    internal const ushort BPF_JGE = 0x30;
    internal const ushort BPF_JSET = 0x40;

    // Operand sources.
    internal const ushort BPF_K = 0x00;
    internal const ushort BPF_X = 0x08;
    internal const ushort BPF_A = 0x10;

    // misc operations (linux/filter.h).
    internal const ushort BPF_TAX = 0x00;
    internal const ushort BPF_TXA = 0x80;

    /// <summary>BPF_MAXINSNS: the most instructions one filter may hold.</summary>
    internal const int BPF_MAXINSNS = 4096;

    /// <summary>BPF_MEMWORDS: scratch memory slots.</summary>
    internal const int BPF_MEMWORDS = 16;

    /// <summary>sizeof(struct seccomp_data): nr, arch, instruction_pointer, args[6].</summary>
    internal const int SeccompDataSize = 64;

    // Offsets into struct seccomp_data (linux/seccomp.h), little-endian words.
    internal const uint OffsetNr = 0;
    internal const uint OffsetArch = 4;
    internal const uint OffsetInstructionPointer = 8;

    internal static uint OffsetArgLow(int index) => 16 + (8 * (uint)index);

    internal static uint OffsetArgHigh(int index) => 20 + (8 * (uint)index);

    internal static ushort Class(ushort code) => (ushort)(code & 0x07);
}
