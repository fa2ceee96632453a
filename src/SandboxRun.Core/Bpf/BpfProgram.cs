using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace SandboxRun.Bpf;

/// <summary>A classic-BPF seccomp program, ready for the kernel or for the interpreter.</summary>
internal sealed record BpfProgram(ImmutableArray<BpfInstruction> Instructions)
{
    internal int Length => Instructions.Length;

    /// <summary>The <c>struct sock_filter[]</c> bytes, in this machine's byte order (as seccomp_export_bpf).</summary>
    internal byte[] ToBytes() => MemoryMarshal.AsBytes(Instructions.AsSpan()).ToArray();

    internal static BpfProgram FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % BpfInstruction.Size != 0)
        {
            throw new ArgumentException($"{bytes.Length} bytes is not a whole number of 8-byte instructions", nameof(bytes));
        }
        return new BpfProgram([.. MemoryMarshal.Cast<byte, BpfInstruction>(bytes)]);
    }

    public bool Equals(BpfProgram? other) => other is not null && Instructions.AsSpan().SequenceEqual(other.Instructions.AsSpan());

    public override int GetHashCode() => Instructions.Length;
}
