namespace SandboxRun.Arch;

/// <summary>
/// One syscall ABI as the kernel presents it to a seccomp filter: the AUDIT_ARCH value in
/// <c>seccomp_data.arch</c>, the width of the argument registers, and the numbers of its
/// syscalls. x32 shares AUDIT_ARCH_X86_64 with x86_64; its numbers carry bit 30.
/// All facts about an arch live here, never in <c>if</c> chains elsewhere.
/// </summary>
internal sealed class Arch
{
    // AUDIT_ARCH_* from /usr/include/linux/audit.h: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.
    internal const uint AUDIT_ARCH_X86_64 = 0xC000003E;
    internal const uint AUDIT_ARCH_I386 = 0x40000003;
    internal const uint AUDIT_ARCH_AARCH64 = 0xC00000B7;
    internal const uint AUDIT_ARCH_ARM = 0x40000028;

    /// <summary>__X32_SYSCALL_BIT, arch/x86/include/uapi/asm/unistd.h.</summary>
    internal const uint X32_SYSCALL_BIT = 0x40000000;

    // Plain dictionaries: a FrozenDictionary's analysis of its keys costs more at start-up
    // than its faster lookups save in one launch.
    private readonly Dictionary<string, uint> _byName;
    private readonly Dictionary<uint, string> _byNumber;

    private Arch(string name, string scmpName, uint auditArch, bool is64Bit, SyscallEntry[] table)
    {
        Name = name;
        ScmpName = scmpName;
        AuditArch = auditArch;
        Is64Bit = is64Bit;
        Table = table;
        _byName = table.DistinctBy(e => e.Name).ToDictionary(e => e.Name, e => e.Number, StringComparer.Ordinal);
        // A number has one name; where a table lists aliases, the first one is kept.
        _byNumber = table.DistinctBy(e => e.Number).ToDictionary(e => e.Number, e => e.Name);
        MaxNumber = table.Max(e => e.Number);
    }

    internal static Arch X86_64 { get; } = new("x86_64", "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64, true, SyscallTables.X86_64);
    internal static Arch X86 { get; } = new("x86", "SCMP_ARCH_X86", AUDIT_ARCH_I386, false, SyscallTables.X86);
    internal static Arch X32 { get; } = new("x32", "SCMP_ARCH_X32", AUDIT_ARCH_X86_64, false, SyscallTables.X32);
    internal static Arch Aarch64 { get; } = new("aarch64", "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64, true, SyscallTables.Aarch64);
    internal static Arch Arm { get; } = new("arm", "SCMP_ARCH_ARM", AUDIT_ARCH_ARM, false, SyscallTables.Arm);

    /// <summary>Every ABI sandboxrun has a table for, in a fixed order.</summary>
    internal static IReadOnlyList<Arch> All { get; } = [X86_64, X86, X32, Aarch64, Arm];

    /// <summary>sandboxrun's name: x86_64, x86, x32, aarch64, arm.</summary>
    internal string Name { get; }

    /// <summary>The libseccomp/OCI name used in profiles, e.g. SCMP_ARCH_X86.</summary>
    internal string ScmpName { get; }

    internal uint AuditArch { get; }

    /// <summary>
    /// Whether the ABI passes 64-bit arguments. x32 is an ILP32 ABI on 64-bit registers:
    /// libseccomp treats it as 32-bit, and so do we.
    /// </summary>
    internal bool Is64Bit { get; }

    internal SyscallEntry[] Table { get; }

    internal uint MaxNumber { get; }

    internal bool TryGetNumber(string name, out uint number) => _byName.TryGetValue(name, out number);

    internal string? NameOf(uint number) => _byNumber.GetValueOrDefault(number);

    internal bool Knows(string name) => _byName.ContainsKey(name);

    public override string ToString() => Name;

    /// <summary>Finds an ABI by sandboxrun name or SCMP_ARCH_* name, case-insensitively.</summary>
    internal static Arch? Find(string name) =>
        All.FirstOrDefault(a =>
            a.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
            || a.ScmpName.Equals(name, StringComparison.OrdinalIgnoreCase));
}
