using System.Runtime.InteropServices;

namespace SandboxRun.Bpf;

/// <summary>
/// <c>struct sock_filter</c> (linux/filter.h): 8 bytes, the unit of a classic-BPF program
/// and of the raw format that <c>bwrap --seccomp</c> and <c>seccomp_export_bpf</c> use.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct BpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    internal const int Size = 8;

    internal static BpfInstruction Stmt(ushort code, uint k) => new(code, 0, 0, k);

    internal static BpfInstruction Jump(ushort code, uint k, byte jt, byte jf) => new(code, jt, jf, k);
}
