using SandboxRun.Arch;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Bpf;

/// <summary>
/// Every operator, compiled and run, against a direct 64-bit evaluation, on every value pair
/// that matters: 0, 2³²±1, high-half garbage, the extremes. On 32-bit ABIs only the low
/// words are compared, as libseccomp does.
/// </summary>
public sealed class ConditionSpecs
{
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000, 0x100000001,
        0xfffffffeffffffff, 0xffffffff00000000, 0xffffffff00000001, 0x8000000000000000,
        0x7fffffffffffffff, ulong.MaxValue - 1, ulong.MaxValue, 0x123456789abcdef0,
    ];

    public static TheoryData<string> Ops => new() { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };

    [Theory]
    [MemberData(nameof(Ops))]
    public void I_can_compare_64_bit_arguments_in_two_halves(string op)
    {
        foreach (var value in Interesting)
        {
            foreach (var valueTwo in new ulong[] { 0, value, 0x100000000, 0xffffffff })
            {
                var policy = Compile.Policy(Profile(op, value, valueTwo));
                var condition = new ArgCondition(1, Parse(op), value, valueTwo);
                foreach (var arg in Interesting)
                {
                    var expected = condition.Matches(arg) ? SeccompAction.Allow : SeccompAction.Errno(1);
                    Assert.Equal(expected, Compile.Decide(policy, "read", 0, arg));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void I_can_compare_only_the_low_word_on_a_32_bit_abi(string op)
    {
        foreach (var value in Interesting)
        {
            var policy = Compile.Policy(Profile(op, value, value));
            var truncated = new ArgCondition(1, Parse(op), (uint)value, (uint)value);
            foreach (var arg in Interesting)
            {
                var expected = truncated.Matches((uint)arg) ? SeccompAction.Allow : SeccompAction.Errno(1);
                Assert.Equal(expected, Compile.Decide(policy, Arch.Arch.AUDIT_ARCH_I386, 3, 0, arg)); // i386 read
            }
        }
    }

    [Fact]
    public void I_can_see_MASKED_EQ_drop_datum_bits_outside_the_mask()
    {
        // libseccomp stores datum & mask: (a0 & 0xff) == 0x1234 means (a0 & 0xff) == 0x34.
        var condition = new ArgCondition(0, CompareOp.MaskedEqual, 0xff, 0x1234);
        Assert.True(condition.Matches(0x34));
        Assert.True(condition.Matches(0xabc34));
        Assert.False(condition.Matches(0x1234 + 1));
    }

    private static string Profile(string op, ulong value, ulong valueTwo) => $$"""
        { "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
          "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW",
                          "args": [ { "index": 1, "value": {{value}}, "valueTwo": {{valueTwo}}, "op": "{{op}}" } ] } ] }
        """;

    private static CompareOp Parse(string op) => CompareOpNames.TryParse(op, out var o) ? o : throw new ArgumentException(op);
}
