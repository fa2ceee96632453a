using System.Globalization;

namespace SandboxRun.Profiles;

/// <summary>
/// One <c>args[]</c> entry: argument <see cref="Index"/> (0–5) compared with
/// <see cref="Value"/>; for MASKED_EQ, Value is the mask and ValueTwo the datum.
/// libseccomp masks the datum too (it stores <c>datum &amp; mask</c>), so MASKED_EQ holds
/// when <c>(arg &amp; mask) == (datum &amp; mask)</c>: a datum with bits outside the mask does
/// not make the rule impossible, it loses those bits. Docker gets that meaning, so do we.
/// </summary>
internal sealed record ArgCondition(int Index, CompareOp Op, ulong Value, ulong ValueTwo)
{
    /// <summary>The condition on a full 64-bit argument value.</summary>
    internal bool Matches(ulong arg) =>
        Op switch
        {
            CompareOp.NotEqual => arg != Value,
            CompareOp.LessThan => arg < Value,
            CompareOp.LessOrEqual => arg <= Value,
            CompareOp.Equal => arg == Value,
            CompareOp.GreaterOrEqual => arg >= Value,
            CompareOp.GreaterThan => arg > Value,
            CompareOp.MaskedEqual => (arg & Value) == (ValueTwo & Value),
            _ => throw new System.Diagnostics.UnreachableException(),
        };

    /// <summary>As a C expression: <c>a0 &amp; 0x7c020000 == 0</c>, <c>a1 &lt;= 3</c>.</summary>
    public override string ToString()
    {
        var a = $"a{Index}";
        return Op switch
        {
            CompareOp.MaskedEqual => $"({a} & {Hex(Value)}) == {Hex(ValueTwo & Value)}",
            CompareOp.NotEqual => $"{a} != {Hex(Value)}",
            CompareOp.LessThan => $"{a} < {Hex(Value)}",
            CompareOp.LessOrEqual => $"{a} <= {Hex(Value)}",
            CompareOp.Equal => $"{a} == {Hex(Value)}",
            CompareOp.GreaterOrEqual => $"{a} >= {Hex(Value)}",
            CompareOp.GreaterThan => $"{a} > {Hex(Value)}",
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }

    internal static string Hex(ulong v) => v < 10 ? v.ToString(CultureInfo.InvariantCulture) : "0x" + v.ToString("x", CultureInfo.InvariantCulture);
}
