using SandboxRun.Errors;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;
using static SandboxRun.Arch.Arch;

namespace SandboxRun.Tests.Policy;

/// <summary>
/// How rules for one syscall combine, as libseccomp 2.5.4 combines them (each case was
/// observed on the installed library; /tmp notes of the research are summarised in
/// RuleTree's comments).
/// </summary>
public sealed class RuleTreeSpecs
{
    private static string Profile(params string[] rules) =>
        $$"""{"defaultAction":"SCMP_ACT_KILL","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{{string.Join(",", rules)}}]}""";

    private static string Rule(string action, params string[] args) =>
        $$"""{"names":["read"],"action":"{{action}}","errnoRet":5,"args":[{{string.Join(",", args)}}]}""";

    private static string Arg(int index, string op, ulong value) => $$"""{"index":{{index}},"op":"SCMP_CMP_{{op}}","value":{{value}}}""";

    [Fact]
    public void I_can_see_a_higher_argument_index_tested_first_whatever_the_order()
    {
        foreach (var rules in new[] { new[] { Rule("SCMP_ACT_ALLOW", Arg(0, "EQ", 1)), Rule("SCMP_ACT_ERRNO", Arg(1, "EQ", 2)) }, new[] { Rule("SCMP_ACT_ERRNO", Arg(1, "EQ", 2)), Rule("SCMP_ACT_ALLOW", Arg(0, "EQ", 1)) } })
        {
            var policy = Compile.Policy(Profile(rules));
            Assert.Equal(SeccompAction.Errno(5), Compile.Decide(policy, "read", 1, 2));
            Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, "read", 1, 3));
        }
    }

    [Fact]
    public void I_can_see_EQ_tested_before_ranges_and_the_larger_GE_first()
    {
        var policy = Compile.Policy(Profile(Rule("SCMP_ACT_ALLOW", Arg(0, "GE", 5)), Rule("SCMP_ACT_ERRNO", Arg(0, "EQ", 7))));
        Assert.Equal(SeccompAction.Errno(5), Compile.Decide(policy, "read", 7));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, "read", 6));

        var ge = Compile.Policy(Profile(Rule("SCMP_ACT_ALLOW", Arg(0, "GE", 3)), Rule("SCMP_ACT_ERRNO", Arg(0, "GE", 5))));
        Assert.Equal(SeccompAction.Errno(5), Compile.Decide(ge, "read", 6));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(ge, "read", 4));
    }

    [Fact]
    public void I_can_see_the_first_unconditional_rule_win_for_good()
    {
        var policy = Compile.Policy(Profile(
            """{"names":["read"],"action":"SCMP_ACT_ALLOW"}""",
            """{"names":["read"],"action":"SCMP_ACT_ERRNO"}""",
            Rule("SCMP_ACT_TRAP", Arg(0, "EQ", 1))));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, "read", 1));
    }

    [Fact]
    public void I_can_see_a_later_unconditional_rule_replace_conditional_ones()
    {
        var policy = Compile.Policy(Profile(Rule("SCMP_ACT_TRAP", Arg(0, "EQ", 1)), """{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":9}"""));
        Assert.Equal(SeccompAction.Errno(9), Compile.Decide(policy, "read", 1));
    }

    [Fact]
    public void I_cannot_give_the_same_conditions_two_actions()
    {
        var error = Assert.Throws<PolicyException>(() => Compile.Policy(Profile(Rule("SCMP_ACT_ALLOW", Arg(0, "EQ", 1)), Rule("SCMP_ACT_ERRNO", Arg(0, "EQ", 1)))));
        Assert.Equal("syscalls[1] (read): an earlier rule gives read on x86_64 the same conditions with another action; libseccomp refuses the rule (EEXIST), so Docker would fail to start the container", error.Message);
    }

    [Fact]
    public void I_can_see_a_longer_rule_after_a_shorter_one_ignored()
    {
        var policy = Compile.Policy(Profile(Rule("SCMP_ACT_ERRNO", Arg(0, "EQ", 1)), Rule("SCMP_ACT_ALLOW", Arg(0, "EQ", 1), Arg(1, "EQ", 2))));
        Assert.Equal(SeccompAction.Errno(5), Compile.Decide(policy, "read", 1, 2));
    }

    [Fact]
    public void I_cannot_make_the_merge_loop_forever_as_libseccomp_does()
    {
        // libseccomp 2.5.4 never returns from adding the second rule: its level list becomes cyclic.
        const string Json = """
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
              {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":2,"args":[{"index":1,"op":"SCMP_CMP_GT","value":4294967296},{"index":5,"op":"SCMP_CMP_GE","value":5}]},
              {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"op":"SCMP_CMP_GT","value":4294967296},{"index":5,"op":"SCMP_CMP_LE","value":4294967297}]}]}
            """;
        var error = Assert.Throws<PolicyException>(() => Compile.Policy(Json));
        Assert.StartsWith("syscalls[1] (read): libseccomp 2.5.4 never finishes merging this rule", error.Message);
    }

    [Fact]
    public void I_can_see_x86_socket_rules_twinned_on_socketcall_with_a0_replaced()
    {
        var policy = Compile.Policy("""{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_NE"}]}]}""");
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, AUDIT_ARCH_I386, 102, 1));      // socketcall(SYS_SOCKET, …)
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_I386, 102, 2));   // socketcall(SYS_BIND, …)
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, AUDIT_ARCH_I386, 359, 2));      // socket(AF_INET)
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_I386, 359, 40));  // socket(AF_VSOCK)
    }
}
