namespace SandboxRun.Bpf;

/// <summary>
/// <c>struct seccomp_data</c>: what the kernel hands a filter for one syscall.
/// </summary>
internal readonly record struct SeccompData(uint Nr, uint Arch, ulong InstructionPointer, ulong[] Args)
{
    internal static SeccompData Of(uint arch, uint nr, params ulong[] args)
    {
        var full = new ulong[6];
        Array.Copy(args, full, Math.Min(args.Length, 6));
        return new SeccompData(nr, arch, 0, full);
    }

    /// <summary>The 32-bit little-endian word at a 4-aligned offset, as <c>ld [k]</c> reads it.</summary>
    internal uint Word(uint offset) =>
        offset switch
        {
            0 => Nr,
            4 => Arch,
            8 => (uint)InstructionPointer,
            12 => (uint)(InstructionPointer >> 32),
            _ => (offset & 4) == 0 ? (uint)Args[(offset - 16) / 8] : (uint)(Args[(offset - 16) / 8] >> 32),
        };
}
