using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// The kernel's seccomp action cache (Linux 5.11+, kernel/seccomp.c), emulated: when a filter
/// is attached, <c>seccomp_cache_prepare_bitmap</c> runs <c>seccomp_is_const_allow</c> for
/// every syscall number below the ABI's syscall count (<c>SECCOMP_ARCH_NATIVE_NR</c>, and
/// <c>SECCOMP_ARCH_COMPAT_NR</c> for i386 under x86_64 or arm under aarch64), with only nr
/// and arch known. A number whose path reaches <c>ret SECCOMP_RET_ALLOW</c> through nothing
/// but <c>ld</c> of nr or arch, <c>jeq/jge/jgt/jset #k</c>, <c>ja</c> and <c>and #k</c> is
/// set in the bitmap, and from then on that syscall skips the filter entirely. x32 numbers
/// (bit 30 set) are past every bitmap, so the kernel never caches them.
/// </summary>
internal static class ActionCache
{
    /// <summary>seccomp_is_const_allow: whether the kernel proves that (arch, nr) is always allowed.</summary>
    internal static bool IsConstAllow(BpfProgram program, uint arch, uint nr)
    {
        var code = program.Instructions.AsSpan();
        uint a = 0;
        for (var pc = 0; pc < code.Length; pc++)
        {
            var insn = code[pc];
            switch (insn.Code)
            {
                case BPF_LD | BPF_W | BPF_ABS:
                    if (insn.K == OffsetNr)
                    {
                        a = nr;
                    }
                    else if (insn.K == OffsetArch)
                    {
                        a = arch;
                    }
                    else
                    {
                        // Not a constant: an argument or the instruction pointer.
                        return false;
                    }
                    break;
                case BPF_RET | BPF_K:
                    return insn.K == Profiles.SeccompAction.SECCOMP_RET_ALLOW;
                case BPF_JMP | BPF_JA:
                    pc += (int)insn.K;
                    break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                    pc += a == insn.K ? insn.Jt : insn.Jf;
                    break;
                case BPF_JMP | BPF_JGE | BPF_K:
                    pc += a >= insn.K ? insn.Jt : insn.Jf;
                    break;
                case BPF_JMP | BPF_JGT | BPF_K:
                    pc += a > insn.K ? insn.Jt : insn.Jf;
                    break;
                case BPF_JMP | BPF_JSET | BPF_K:
                    pc += (a & insn.K) != 0 ? insn.Jt : insn.Jf;
                    break;
                case BPF_ALU | BPF_AND | BPF_K:
                    a &= insn.K;
                    break;
                default:
                    return false;
            }
        }
        // The kernel warns: the program ran off its end.
        return false;
    }

    /// <summary>seccomp_cache_prepare_bitmap for one filter on its own: bit nr set when the kernel caches it.</summary>
    internal static bool[] Bitmap(BpfProgram program, uint arch, int syscallCount)
    {
        var bitmap = new bool[syscallCount];
        for (var nr = 0; nr < syscallCount; nr++)
        {
            bitmap[nr] = IsConstAllow(program, arch, (uint)nr);
        }
        return bitmap;
    }

    /// <summary>
    /// The size of the kernel's bitmap for an ABI: one past its highest syscall number
    /// (NR_syscalls, IA32_NR_syscalls, __NR_compat_syscalls); ARM's private calls at
    /// 0x0f0000 and up are past it. Null for x32, which the cache does not cover.
    /// </summary>
    internal static int? SyscallCount(Arch.Arch abi) =>
        abi == Arch.Arch.X32 ? null : (int)abi.Table.Where(e => e.Number < 0x0f0000).Max(e => e.Number) + 1;
}
