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

    // Built on first use: a launch on x86_64 never looks up an aarch64 name. A plain
    // Dictionary, filled in a loop: a FrozenDictionary's analysis of its keys, or LINQ's
    // DistinctBy/ToDictionary, cost more at start-up than they save in one launch.
    private Dictionary<string, uint>? _byName;

    private Arch(string name, string scmpName, uint auditArch, bool is64Bit, SyscallEntry[] table)
    {
        Name = name;
        ScmpName = scmpName;
        AuditArch = auditArch;
        Is64Bit = is64Bit;
        Table = table;
        MaxNumber = table[^1].Number;
    }

    internal static Arch X86_64 { get; } = new("x86_64", "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64, true, SyscallTables.X86_64);
    internal static Arch X86 { get; } = new("x86", "SCMP_ARCH_X86", AUDIT_ARCH_I386, false, SyscallTables.X86);
    internal static Arch X32 { get; } = new("x32", "SCMP_ARCH_X32", AUDIT_ARCH_X86_64, false, SyscallTables.X32);
    internal static Arch Aarch64 { get; } = new("aarch64", "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64, true, SyscallTables.Aarch64);
    internal static Arch Arm { get; } = new("arm", "SCMP_ARCH_ARM", AUDIT_ARCH_ARM, false, SyscallTables.Arm);

    /// <summary>Every ABI sandboxrun has a table for, in a fixed order.</summary>
    internal static IReadOnlyList<Arch> All => AllArray;

    private static readonly Arch[] AllArray = [X86_64, X86, X32, Aarch64, Arm];

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

    /// <summary>
    /// The ABI's syscalls, sorted by number, one name per number (scripts/gen-syscall-tables
    /// writes them so, and ConstantsSpecs checks it).
    /// </summary>
    internal SyscallEntry[] Table { get; }

    internal uint MaxNumber { get; }

    internal bool TryGetNumber(string name, out uint number) => ByName.TryGetValue(name, out number);

    /// <summary>The name of a number, found by binary search in the sorted table.</summary>
    internal string? NameOf(uint number)
    {
        var table = Table;
        int lo = 0, hi = table.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var n = table[mid].Number;
            if (n == number)
            {
                return table[mid].Name;
            }
            if (n < number)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return null;
    }

    internal bool Knows(string name) => ByName.ContainsKey(name);

    /// <summary>
    /// Whether any ABI sandboxrun has a table for has a syscall of that name. The ABIs whose
    /// name index is not built yet are searched through, not indexed: a launch asks this of
    /// every name, and builds the index of its own machine's ABIs only.
    /// </summary>
    internal static bool KnownAnywhere(string name)
    {
        foreach (var arch in AllArray)
        {
            if (arch._byName is { } byName ? byName.ContainsKey(name) : arch.Scan(name))
            {
                return true;
            }
        }
        return false;
    }

    private bool Scan(string name)
    {
        foreach (var e in Table)
        {
            if (string.Equals(e.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private Dictionary<string, uint> ByName
    {
        get
        {
            if (_byName is null)
            {
                var byName = new Dictionary<string, uint>(Table.Length, StringComparer.Ordinal);
                foreach (var e in Table)
                {
                    byName.TryAdd(e.Name, e.Number);
                }
                _byName = byName;
            }
            return _byName;
        }
    }

    public override string ToString() => Name;

    /// <summary>Finds an ABI by sandboxrun name or SCMP_ARCH_* name, case-insensitively.</summary>
    internal static Arch? Find(string name) =>
        All.FirstOrDefault(a =>
            a.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
            || a.ScmpName.Equals(name, StringComparison.OrdinalIgnoreCase));
}
