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

    // The table as the generator lays it out (SyscallTables): numbers ascending, the names
    // in the same order in one string, and an index sorted by name. None of it is built at
    // start-up; lookups by name are binary searches over spans of the one string.
    private readonly string _names;
    private readonly uint[] _numbers;
    private readonly ushort[] _nameStarts;
    private readonly ushort[] _byName;

    /// <summary>Names made into strings so far, by index: the launch path needs almost none.</summary>
    private string?[]? _nameStrings;

    private SyscallEntry[]? _table;

    private Arch(string name, string scmpName, uint auditArch, bool is64Bit, string names, uint[] numbers, ushort[] nameStarts, ushort[] byName)
    {
        Name = name;
        ScmpName = scmpName;
        AuditArch = auditArch;
        Is64Bit = is64Bit;
        _names = names;
        _numbers = numbers;
        _nameStarts = nameStarts;
        _byName = byName;
    }

    internal static Arch X86_64 { get; } = new("x86_64", "SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64, true,
        SyscallTables.X86_64Names, SyscallTables.X86_64Numbers, SyscallTables.X86_64NameStarts, SyscallTables.X86_64ByName);

    internal static Arch X86 { get; } = new("x86", "SCMP_ARCH_X86", AUDIT_ARCH_I386, false,
        SyscallTables.X86Names, SyscallTables.X86Numbers, SyscallTables.X86NameStarts, SyscallTables.X86ByName);

    internal static Arch X32 { get; } = new("x32", "SCMP_ARCH_X32", AUDIT_ARCH_X86_64, false,
        SyscallTables.X32Names, SyscallTables.X32Numbers, SyscallTables.X32NameStarts, SyscallTables.X32ByName);

    internal static Arch Aarch64 { get; } = new("aarch64", "SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64, true,
        SyscallTables.Aarch64Names, SyscallTables.Aarch64Numbers, SyscallTables.Aarch64NameStarts, SyscallTables.Aarch64ByName);

    internal static Arch Arm { get; } = new("arm", "SCMP_ARCH_ARM", AUDIT_ARCH_ARM, false,
        SyscallTables.ArmNames, SyscallTables.ArmNumbers, SyscallTables.ArmNameStarts, SyscallTables.ArmByName);

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
    /// writes them so, and ConstantsSpecs checks it). Made on first use, for the commands
    /// that list or search them; a launch goes through the lookups below.
    /// </summary>
    internal SyscallEntry[] Table
    {
        get
        {
            if (_table is null)
            {
                var table = new SyscallEntry[_numbers.Length];
                for (var i = 0; i < table.Length; i++)
                {
                    table[i] = new SyscallEntry(NameAt(i), _numbers[i]);
                }
                _table = table;
            }
            return _table;
        }
    }

    /// <summary>The ABI's syscall numbers, ascending.</summary>
    internal ReadOnlySpan<uint> Numbers => _numbers;

    internal uint MaxNumber => _numbers[^1];

    internal bool TryGetNumber(string name, out uint number)
    {
        var i = IndexOfName(name);
        number = i < 0 ? 0 : _numbers[i];
        return i >= 0;
    }

    /// <summary>The name of a number (null when the ABI has no such syscall).</summary>
    internal string? NameOf(uint number)
    {
        var i = IndexOf(number);
        return i < 0 ? null : NameAt(i);
    }

    /// <summary>Whether the ABI has a syscall of this number.</summary>
    internal bool Has(uint number) => IndexOf(number) >= 0;

    /// <summary>
    /// Where a number is in <see cref="Numbers"/>; negative when the ABI has no such syscall.
    /// Tables with gaps (arm's private calls sit at 0xf0001) are indexed by this, not by number.
    /// </summary>
    internal int IndexOf(uint number) => System.Array.BinarySearch(_numbers, number);

    /// <summary>How many syscalls of the ABI have a number in [first, last] (first &lt;= last).</summary>
    internal int CountIn(uint first, uint last)
    {
        var from = IndexOf(first);
        var to = IndexOf(last);
        return (to < 0 ? ~to : to + 1) - (from < 0 ? ~from : from);
    }

    internal bool Knows(string name) => IndexOfName(name) >= 0;

    /// <summary>Whether any ABI sandboxrun has a table for has a syscall of that name.</summary>
    internal static bool KnownAnywhere(string name)
    {
        foreach (var arch in AllArray)
        {
            if (arch.Knows(name))
            {
                return true;
            }
        }
        return false;
    }

    private ReadOnlySpan<char> NameSpan(int i) => _names.AsSpan(_nameStarts[i], _nameStarts[i + 1] - _nameStarts[i] - 1);

    private string NameAt(int i) => (_nameStrings ??= new string?[_numbers.Length])[i] ??= new string(NameSpan(i));

    /// <summary>The entry of a name, by binary search of the name index; -1 when absent.</summary>
    private int IndexOfName(ReadOnlySpan<char> name)
    {
        int lo = 0, hi = _byName.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var entry = _byName[mid];
            var order = NameSpan(entry).SequenceCompareTo(name);
            if (order == 0)
            {
                return entry;
            }
            if (order < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }

    public override string ToString() => Name;

    /// <summary>Finds an ABI by sandboxrun name or SCMP_ARCH_* name, case-insensitively.</summary>
    internal static Arch? Find(string name) =>
        All.FirstOrDefault(a =>
            a.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
            || a.ScmpName.Equals(name, StringComparison.OrdinalIgnoreCase));
}
