namespace SandboxRun.Profiles;

/// <summary>
/// The SCMP_CMP_* operators, with libseccomp's enum values (seccomp.h `enum scmp_compare`).
/// All compare the full 64-bit argument; MASKED_EQ tests <c>(arg &amp; value) == valueTwo</c>.
/// </summary>
internal enum CompareOp
{
    NotEqual = 1,
    LessThan = 2,
    LessOrEqual = 3,
    Equal = 4,
    GreaterOrEqual = 5,
    GreaterThan = 6,
    MaskedEqual = 7,
}

internal static class CompareOpNames
{
    private static readonly (string Name, CompareOp Op)[] Names =
    [
        ("SCMP_CMP_NE", CompareOp.NotEqual),
        ("SCMP_CMP_LT", CompareOp.LessThan),
        ("SCMP_CMP_LE", CompareOp.LessOrEqual),
        ("SCMP_CMP_EQ", CompareOp.Equal),
        ("SCMP_CMP_GE", CompareOp.GreaterOrEqual),
        ("SCMP_CMP_GT", CompareOp.GreaterThan),
        ("SCMP_CMP_MASKED_EQ", CompareOp.MaskedEqual),
    ];

    internal static IEnumerable<string> All => Names.Select(n => n.Name);

    internal static bool TryParse(string name, out CompareOp op)
    {
        foreach (var (n, o) in Names)
        {
            if (n == name)
            {
                op = o;
                return true;
            }
        }
        op = default;
        return false;
    }

    internal static string ToProfileName(CompareOp op) => Names.First(n => n.Op == op).Name;
}
