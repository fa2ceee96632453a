using System.Text;
using SandboxRun.Errors;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Profiles;

/// <summary>
/// Reading a profile the way Docker's Go decoder does (SPEC.md §3): both forms of the
/// format, keys in any case, the last of a repeated key, null as absent, Podman's errno
/// names, the runc defaults, and every value at its limits. Warnings are asserted as text.
/// </summary>
public sealed class ProfileReaderSpecs(ITestOutputHelper output)
{
    private const string Source = "p.json";

    private static Profile Read(string json) => ProfileReader.Read(Source, Encoding.UTF8.GetBytes(json));

    private static IReadOnlyList<string> Problems(string json) =>
        Assert.Throws<ProfileException>(() => Read(json)).Problems;

    /// <summary>A profile whose one rule is <paramref name="rule"/> (a JSON object's inside).</summary>
    private static string WithRule(string rule) =>
        $$"""{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{{{rule}}}]}""";

    // ---- the two forms ----

    [Fact]
    public void I_can_read_the_old_form_with_name_and_architectures()
    {
        // Arrange
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "syscalls": [
                {"name": "read", "action": "SCMP_ACT_ALLOW", "args": []},
                {"name": "personality", "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}
              ]
            }
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], profile.Architectures);
        Assert.Empty(profile.ArchMap);
        Assert.Equal(2, profile.Syscalls.Count);
        Assert.Equal(["read"], profile.Syscalls[0].Names);
        Assert.Equal(SeccompAction.Allow, profile.Syscalls[0].Action);
        Assert.Equal([new ArgCondition(0, CompareOp.Equal, 8, 0)], profile.Syscalls[1].Args);
        Assert.Equal(1, profile.Syscalls[1].Position);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_read_the_new_form_with_names_and_archMap()
    {
        // Arrange
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "archMap": [
                {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
              ],
              "syscalls": [
                {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "io",
                 "includes": {"arches": ["amd64"], "caps": ["CAP_SYS_ADMIN"], "minKernel": "5.8"},
                 "excludes": {"caps": ["CAP_SYS_PTRACE"]}}
              ]
            }
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Empty(profile.Architectures);
        Assert.Equal(2, profile.ArchMap.Count);
        Assert.Equal("SCMP_ARCH_X86_64", profile.ArchMap[0].Architecture);
        Assert.Equal(["SCMP_ARCH_X86", "SCMP_ARCH_X32"], profile.ArchMap[0].SubArchitectures);
        Assert.Equal(["SCMP_ARCH_ARM"], profile.ArchMap[1].SubArchitectures);
        var rule = Assert.Single(profile.Syscalls);
        Assert.Equal(["read", "write"], rule.Names);
        Assert.Equal("io", rule.Comment);
        Assert.Equal(["amd64"], rule.Includes.Arches);
        Assert.Equal(["CAP_SYS_ADMIN"], rule.Includes.Caps);
        Assert.Equal(new KernelVersion(5, 8), rule.Includes.MinKernel);
        Assert.Equal(["CAP_SYS_PTRACE"], rule.Excludes.Caps);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_read_the_oci_fields_flags_and_listener()
    {
        // Arrange
        const string json = """
            {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"],
             "listenerPath": "/run/agent.sock", "listenerMetadata": "meta",
             "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"], profile.Flags);
        Assert.Equal("/run/agent.sock", profile.ListenerPath);
        Assert.Equal("meta", profile.ListenerMetadata);
        Assert.Equal(new SeccompAction(ActionKind.Notify), profile.Syscalls[0].Action);
    }

    [Fact]
    public void I_can_read_a_profile_with_only_a_default_action()
    {
        // Arrange
        const string json = """{"defaultAction": "SCMP_ACT_LOG"}""";

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new SeccompAction(ActionKind.Log), profile.DefaultAction);
        Assert.Empty(profile.Syscalls);
        Assert.Empty(profile.Architectures);
        Assert.Empty(profile.Warnings);
    }

    // ---- Go's decoder: keys, repeats, null ----

    [Fact]
    public void I_can_write_keys_in_any_case()
    {
        // Arrange
        const string json = """
            {"DefaultAction": "SCMP_ACT_ERRNO", "DEFAULTERRNORET": 38, "ArchMap": [{"ARCHITECTURE": "SCMP_ARCH_X86_64", "subarchitectures": ["SCMP_ARCH_X86"]}],
             "Syscalls": [{"NAMES": ["read"], "Action": "SCMP_ACT_ERRNO", "ErrnoRet": 5,
                           "ARGS": [{"Index": 1, "VALUE": 2, "valuetwo": 3, "OP": "SCMP_CMP_MASKED_EQ"}],
                           "Includes": {"MINKERNEL": "4.8", "Caps": ["CAP_SYS_ADMIN"], "ARCHES": ["amd64"]}}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Enosys, profile.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86"], profile.ArchMap[0].SubArchitectures);
        var rule = Assert.Single(profile.Syscalls);
        Assert.Equal(["read"], rule.Names);
        Assert.Equal(SeccompAction.Errno(5), rule.Action);
        Assert.Equal([new ArgCondition(1, CompareOp.MaskedEqual, 2, 3)], rule.Args);
        Assert.Equal(["amd64"], rule.Includes.Arches);
        Assert.Equal(["CAP_SYS_ADMIN"], rule.Includes.Caps);
        Assert.Equal(new KernelVersion(4, 8), rule.Includes.MinKernel);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_write_keys_with_the_unicode_letters_that_go_folds_to_ascii()
    {
        // Arrange: U+017F LONG S folds to s and U+212A KELVIN SIGN to k in Go's key match;
        // U+0131 DOTLESS I folds to nothing (although .NET upper-cases it to I).
        const string json = """
            {"defaultAction": "SCMP_ACT_ERRNO",
             "\u017Fyscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"min\u212Aernel": "4.8"}}],
             "archıtectures": ["SCMP_ARCH_X86"]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new KernelVersion(4, 8), Assert.Single(profile.Syscalls).Includes.MinKernel);
        Assert.Empty(profile.Architectures);
        Lines.Equal(["p.json: archıtectures: unknown field \"archıtectures\" is ignored (did you mean architectures?)"], profile.Warnings);
    }

    [Fact]
    public void I_can_repeat_a_key_and_the_last_one_wins()
    {
        // Arrange
        const string json = """
            {"defaultAction": "SCMP_ACT_KILL", "defaultAction": "SCMP_ACT_ERRNO",
             "syscalls": [{"names": ["read"], "NAMES": ["write", "close"], "action": "SCMP_ACT_TRAP", "Action": "SCMP_ACT_ALLOW",
                           "errnoRet": 3, "errnoRet": null,
                           "args": [], "args": [{"index": 0, "value": 1, "index": 2, "op": "SCMP_CMP_GT"}]}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        var rule = Assert.Single(profile.Syscalls);
        Assert.Equal(["write", "close"], rule.Names);
        Assert.Equal(SeccompAction.Allow, rule.Action);
        Assert.Equal([new ArgCondition(2, CompareOp.GreaterThan, 1, 0)], rule.Args);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_give_an_array_of_rules_again_after_null_as_go_starts_it_afresh()
    {
        // Arrange: null resets the slice, so the third array is not merged into the first
        // and is not refused: only the value given last before a repeat counts.
        const string json = """
            {"defaultAction": "SCMP_ACT_ERRNO",
             "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}], "syscalls": null,
             "Syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(["write"], Assert.Single(profile.Syscalls).Names);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_give_null_and_it_means_absent()
    {
        // Arrange: Go leaves a string or number field as it was on null, and resets a
        // pointer (errnoRet, includes) or a slice (names, architectures).
        const string json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultAction": null, "defaultErrnoRet": null,
             "architectures": null, "archMap": null, "flags": null, "listenerPath": null,
             "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "comment": null, "args": null,
                           "includes": {"caps": ["CAP_SYS_ADMIN"]}, "includes": null, "excludes": null},
                          {"names": ["write"], "action": "SCMP_ACT_ALLOW",
                           "args": [{"index": 1, "value": 7, "value": null, "valueTwo": null, "op": "SCMP_CMP_EQ", "op": null}]}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        Assert.Empty(profile.Architectures);
        Assert.Null(profile.ListenerPath);
        Assert.True(profile.Syscalls[0].Includes.IsEmpty);
        Assert.Null(profile.Syscalls[0].Comment);
        Assert.Empty(profile.Syscalls[0].Args);
        Assert.Equal([new ArgCondition(1, CompareOp.Equal, 7, 0)], profile.Syscalls[1].Args);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_repeat_includes_and_the_two_objects_merge_as_in_go()
    {
        // Arrange: Go decodes the second object into the *Filter the first one made.
        var json = WithRule("""
            "names": ["unshare"], "action": "SCMP_ACT_ALLOW",
            "includes": {"caps": ["CAP_SYS_ADMIN"], "minKernel": "5.1"},
            "includes": {"arches": ["amd64"], "minKernel": ""}
            """);

        // Act
        var rule = Assert.Single(Read(json).Syscalls);

        // Assert
        Assert.Equal(["amd64"], rule.Includes.Arches);
        Assert.Equal(["CAP_SYS_ADMIN"], rule.Includes.Caps);
        Assert.Equal(new KernelVersion(5, 1), rule.Includes.MinKernel);
    }

    [Fact]
    public void I_get_a_warning_with_the_path_and_a_suggestion_for_each_unknown_field()
    {
        // Arrange
        const string json = """
            {"defaultActon": "SCMP_ACT_KILL", "defaultAction": "SCMP_ACT_ERRNO", "comment": "top",
             "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArches": ["SCMP_ARCH_X86"]}],
             "syscalls": [{"nmes": ["ptrace"], "action": "SCMP_ACT_ALLOW"},
                          {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "vaule": 9, "op": "SCMP_CMP_EQ"}],
                           "includes": {"cap": ["CAP_KILL"]}, "excludes": {"minkernal": "4.8"}}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Lines.Equal(
            [
                "p.json: defaultActon: unknown field \"defaultActon\" is ignored (did you mean defaultAction?)",
                "p.json: archMap[0].subArches: unknown field \"subArches\" is ignored",
                "p.json: syscalls[0].nmes: unknown field \"nmes\" is ignored (did you mean names?)",
                "p.json: syscalls[0]: the rule names no syscall, so it does nothing (Docker ignores it too); give \"names\": [...]",
                "p.json: syscalls[1].args[0].vaule: unknown field \"vaule\" is ignored (did you mean value?)",
                "p.json: syscalls[1].includes.cap: unknown field \"cap\" is ignored (did you mean caps?)",
                "p.json: syscalls[1].excludes.minkernal: unknown field \"minkernal\" is ignored (did you mean minKernel?)",
            ],
            profile.Warnings);
    }

    [Fact]
    public void I_can_write_an_empty_name_beside_names_as_moby_ignores_it()
    {
        // Arrange: moby only looks at "name" when it is not "".
        var json = WithRule("""
            "name": "", "names": ["read"], "action": "SCMP_ACT_ALLOW"
            """);

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(["read"], Assert.Single(profile.Syscalls).Names);
        Assert.Empty(profile.Warnings);
    }

    [Theory]
    [InlineData("\"names\": []")]
    [InlineData("\"names\": null")]
    [InlineData("\"name\": \"\"")]
    public void I_can_write_a_rule_without_names_and_get_a_warning_as_Docker_ignores_it(string names)
    {
        // Arrange: runc's specconv makes one rule per name, so a rule without names does nothing.
        var json = WithRule($$"""
            {{names}}, "action": "SCMP_ACT_ALLOW"
            """);

        // Act
        var profile = Read(json);

        // Assert
        Assert.Empty(Assert.Single(profile.Syscalls).Names);
        Lines.Equal(["p.json: syscalls[0]: the rule names no syscall, so it does nothing (Docker ignores it too); give \"names\": [...]"], profile.Warnings);
    }

    [Fact]
    public void I_can_read_strings_that_are_not_utf8_as_go_does()
    {
        // Arrange: a Latin-1 comment, and escapes of unpaired surrogates; Go reads each as U+FFFD.
        var bytes = Encoding.UTF8.GetBytes("""
            {"defaultAction": "SCMP_ACT_ERRNO",
             "syscalls": [{"names": ["read", "\ud800x", "\udc00", "\ud83d\ude00"], "action": "SCMP_ACT_ALLOW", "comment": "caf#"}]}
            """).Select(b => b == (byte)'#' ? (byte)0xE9 : b).ToArray();

        // Act
        var profile = ProfileReader.Read(Source, bytes);

        // Assert
        var rule = Assert.Single(profile.Syscalls);
        Assert.Equal(["read", "\uFFFDx", "\uFFFD", "\U0001F600"], rule.Names);
        Assert.Equal("caf\uFFFD", rule.Comment);
        Lines.Equal(["p.json: 3 invalid UTF-8 byte(s) or unpaired surrogate escape(s) in strings, the first at line 2, column 35: read as U+FFFD, as Docker's Go decoder does"], profile.Warnings);
    }

    [Fact]
    public void I_can_nest_deeply_under_an_unknown_field_as_go_allows()
    {
        // Arrange: Go's decoder allows 10000 levels and skips unknown fields whatever they hold.
        var json = $$"""{"defaultAction": "SCMP_ACT_ALLOW", "x-extra": {{new string('[', 5000)}}{{new string(']', 5000)}}}""";

        // Act
        var profile = Read(json);

        // Assert
        Lines.Equal(["p.json: x-extra: unknown field \"x-extra\" is ignored"], profile.Warnings);
    }

    [Fact]
    public void I_get_a_warning_without_a_path_for_an_unknown_top_level_field_named_empty()
    {
        // Arrange: the field's path is "", which reads as no path at all.
        const string json = """{"": 1, "defaultAction": "SCMP_ACT_ALLOW"}""";

        // Act
        var profile = Read(json);

        // Assert
        Lines.Equal(["p.json: unknown field \"\" is ignored"], profile.Warnings);
    }

    // ---- actions and errno ----

    [Theory]
    [InlineData("SCMP_ACT_ALLOW", nameof(ActionKind.Allow), 0)]
    [InlineData("SCMP_ACT_ERRNO", nameof(ActionKind.Errno), 1)]
    [InlineData("SCMP_ACT_KILL", nameof(ActionKind.KillThread), 0)]
    [InlineData("SCMP_ACT_KILL_THREAD", nameof(ActionKind.KillThread), 0)]
    [InlineData("SCMP_ACT_KILL_PROCESS", nameof(ActionKind.KillProcess), 0)]
    [InlineData("SCMP_ACT_TRAP", nameof(ActionKind.Trap), 0)]
    [InlineData("SCMP_ACT_TRACE", nameof(ActionKind.Trace), 1)]
    [InlineData("SCMP_ACT_LOG", nameof(ActionKind.Log), 0)]
    [InlineData("SCMP_ACT_NOTIFY", nameof(ActionKind.Notify), 0)]
    public void I_can_use_every_action_in_a_rule(string name, string kind, int data)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["mkdir"], "action": "{{name}}"
            """);

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new SeccompAction(Enum.Parse<ActionKind>(kind), (ushort)data), Assert.Single(profile.Syscalls).Action);
        Assert.Empty(profile.Warnings);
    }

    [Theory]
    [InlineData("SCMP_ACT_ALLOW", nameof(ActionKind.Allow), 0)]
    [InlineData("SCMP_ACT_ERRNO", nameof(ActionKind.Errno), 1)]
    [InlineData("SCMP_ACT_KILL", nameof(ActionKind.KillThread), 0)]
    [InlineData("SCMP_ACT_KILL_THREAD", nameof(ActionKind.KillThread), 0)]
    [InlineData("SCMP_ACT_KILL_PROCESS", nameof(ActionKind.KillProcess), 0)]
    [InlineData("SCMP_ACT_TRAP", nameof(ActionKind.Trap), 0)]
    [InlineData("SCMP_ACT_TRACE", nameof(ActionKind.Trace), 1)]
    [InlineData("SCMP_ACT_LOG", nameof(ActionKind.Log), 0)]
    public void I_can_use_every_action_but_notify_as_the_default(string name, string kind, int data)
    {
        // Arrange
        var json = $$"""{"defaultAction": "{{name}}"}""";

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new SeccompAction(Enum.Parse<ActionKind>(kind), (ushort)data), profile.DefaultAction);
    }

    [Theory]
    [InlineData("SCMP_ACT_ERRNO", "", nameof(ActionKind.Errno), 1)]
    [InlineData("SCMP_ACT_ERRNO", """, "errnoRet": 38""", nameof(ActionKind.Errno), 38)]
    [InlineData("SCMP_ACT_ERRNO", """, "errnoRet": 0""", nameof(ActionKind.Errno), 0)]
    [InlineData("SCMP_ACT_ERRNO", """, "errnoRet": 4094""", nameof(ActionKind.Errno), 4094)]
    [InlineData("SCMP_ACT_TRACE", "", nameof(ActionKind.Trace), 1)]
    [InlineData("SCMP_ACT_TRACE", """, "errnoRet": 1234""", nameof(ActionKind.Trace), 1234)]
    public void I_can_leave_out_errnoRet_and_get_EPERM_for_ERRNO_and_TRACE(string action, string errno, string kind, int data)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["mkdir"], "action": "{{action}}"{{errno}}
            """);

        // Act
        var rule = Assert.Single(Read(json).Syscalls);

        // Assert
        Assert.Equal(new SeccompAction(Enum.Parse<ActionKind>(kind), (ushort)data), rule.Action);
    }

    [Fact]
    public void I_get_a_warning_for_an_errno_on_an_action_that_has_none()
    {
        // Arrange
        const string json = """
            {"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 38,
             "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1, "errno": "EPERM"}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.KillThread, profile.DefaultAction);
        Assert.Equal(SeccompAction.Allow, profile.Syscalls[0].Action);
        Lines.Equal(
            [
                "p.json: syscalls[0].errno: SCMP_ACT_ALLOW ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it",
                "p.json: syscalls[0].errnoRet: SCMP_ACT_ALLOW ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it",
                "p.json: defaultErrnoRet: SCMP_ACT_KILL ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it",
            ],
            profile.Warnings);
    }

    [Fact]
    public void I_can_read_podmans_errno_names_and_the_numbers_win()
    {
        // Arrange
        const string json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "defaultErrno": "ENOSYS",
             "syscalls": [
               {"names": ["a1"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EPERM"},
               {"names": ["a2"], "action": "SCMP_ACT_ERRNO", "errno": "EACCES"},
               {"names": ["a3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22, "errno": "EPERM"},
               {"names": ["a4"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EPREM"}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Enosys, profile.DefaultAction);
        Assert.Equal([1, 1, 22, 1], profile.Syscalls.Select(r => (int)r.Action.Data));
        Lines.Equal(
            [
                "p.json: syscalls[1].errno: \"EACCES\" is only a name to Docker, which reads the number: give \"errnoRet\": 13 (EPERM is used)",
                "p.json: syscalls[2].errno: \"EPERM\" is 1, but the number given is 22; the number is used",
                "p.json: syscalls[3].errno: unknown errno name \"EPREM\" (did you mean EPERM?)",
            ],
            profile.Warnings);
    }

    [Fact]
    public void I_get_a_warning_when_the_default_errno_is_only_a_name()
    {
        // Arrange
        const string json = """{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS"}""";

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        Lines.Equal(["p.json: defaultErrno: \"ENOSYS\" is only a name to Docker, which reads the number: give \"defaultErrnoRet\": 38 (EPERM is used)"], profile.Warnings);
    }

    // ---- operators and values ----

    [Theory]
    [InlineData("SCMP_CMP_NE", nameof(CompareOp.NotEqual))]
    [InlineData("SCMP_CMP_LT", nameof(CompareOp.LessThan))]
    [InlineData("SCMP_CMP_LE", nameof(CompareOp.LessOrEqual))]
    [InlineData("SCMP_CMP_EQ", nameof(CompareOp.Equal))]
    [InlineData("SCMP_CMP_GE", nameof(CompareOp.GreaterOrEqual))]
    [InlineData("SCMP_CMP_GT", nameof(CompareOp.GreaterThan))]
    [InlineData("SCMP_CMP_MASKED_EQ", nameof(CompareOp.MaskedEqual))]
    public void I_can_use_every_operator(string name, string op)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 5, "value": 4294967296, "valueTwo": 4294967295, "op": "{{name}}"}]
            """);

        // Act
        var rule = Assert.Single(Read(json).Syscalls);

        // Assert
        Assert.Equal([new ArgCondition(5, Enum.Parse<CompareOp>(op), 4294967296, 4294967295)], rule.Args);
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("4294967295", 4294967295UL)]
    [InlineData("4294967296", 4294967296UL)]
    [InlineData("9223372036854775808", 9223372036854775808UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void I_can_give_values_up_to_the_largest_unsigned_64_bit_integer(string literal, ulong expected)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": {{literal}}, "valueTwo": {{literal}}, "op": "SCMP_CMP_MASKED_EQ"}]
            """);

        // Act
        var arg = Assert.Single(Assert.Single(Read(json).Syscalls).Args);

        // Assert
        Assert.Equal(expected, arg.Value);
        Assert.Equal(expected, arg.ValueTwo);
    }

    [Fact]
    public void I_can_leave_out_index_and_value_and_get_zero_as_in_go()
    {
        // Arrange
        const string json = """{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"op": "SCMP_CMP_EQ"}]}]}""";

        // Act
        var arg = Assert.Single(Assert.Single(Read(json).Syscalls).Args);

        // Assert
        Assert.Equal(new ArgCondition(0, CompareOp.Equal, 0, 0), arg);
    }

    // ---- minKernel ----

    [Theory]
    [InlineData("4.8", 4, 8)]
    [InlineData("5.10", 5, 10)]
    [InlineData("04.08", 4, 8)]
    [InlineData("255.255", 255, 255)]
    [InlineData("0.1", 0, 1)]
    public void I_can_give_minKernel_as_major_dot_minor(string text, int major, int minor)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "{{text}}"}
            """);

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new KernelVersion(major, minor), profile.Syscalls[0].Includes.MinKernel);
        Assert.Empty(profile.Warnings);
    }

    [Fact]
    public void I_can_give_minKernel_with_three_parts_and_get_a_warning()
    {
        // Arrange: the 2018 default profile wrote "4.8.0"; Docker of today refuses it.
        const string json = """{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8.0"}}]}""";

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new KernelVersion(4, 8), profile.Syscalls[0].Includes.MinKernel);
        Lines.Equal(["p.json: syscalls[0].includes.minKernel: minKernel \"4.8.0\" has three parts: today's Docker refuses it (\"<kernel>.<major>\"); compared as 4.8"], profile.Warnings);
    }

    [Fact]
    public void I_can_give_an_empty_minKernel_and_it_is_zero_as_in_moby()
    {
        // Arrange: moby's KernelVersion stays 0.0 on "", which every kernel reaches.
        const string json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
              {"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": ""}},
              {"names": ["write"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": ""}}]}
            """;

        // Act
        var profile = Read(json);

        // Assert
        Assert.Equal(new KernelVersion(0, 0), profile.Syscalls[0].Includes.MinKernel);
        Assert.Equal(new KernelVersion(0, 0), profile.Syscalls[1].Excludes.MinKernel);
        Lines.Equal(["p.json: syscalls[1].excludes.minKernel: an empty minKernel is 0.0 to Docker, which every kernel reaches: the rule is always excluded"], profile.Warnings);
    }

    [Theory]
    [InlineData("4", "p.json: syscalls[0].includes.minKernel: invalid kernel version \"4\", expected \"<kernel>.<major>\" such as \"4.8\", each part 0 to 255")]
    [InlineData("4.8.0.1", "p.json: syscalls[0].includes.minKernel: invalid kernel version \"4.8.0.1\", expected \"<kernel>.<major>\" such as \"4.8\", each part 0 to 255")]
    [InlineData("v4.8", "p.json: syscalls[0].includes.minKernel: invalid kernel version \"v4.8\", expected \"<kernel>.<major>\" such as \"4.8\", each part 0 to 255")]
    [InlineData("4.256", "p.json: syscalls[0].includes.minKernel: invalid kernel version \"4.256\", expected \"<kernel>.<major>\" such as \"4.8\", each part 0 to 255")]
    [InlineData("0.0", "p.json: syscalls[0].includes.minKernel: invalid kernel version \"0.0\": the version cannot be 0.0")]
    public void I_cannot_give_minKernel_in_another_form(string text, string expected)
    {
        // Arrange
        var json = WithRule($$"""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "{{text}}"}
            """);

        // Act
        var problems = Problems(json);

        // Assert
        Lines.Equal([expected], problems);
    }

    // ---- the real profiles ----

    /// <summary>The corpus files and the warnings each gives (SOURCES.md beside them says why).</summary>
    public static TheoryData<string, string[]> CorpusWarnings => new()
    {
        { "jessfraz-chrome.json", [] },
        { "moby-default-2016-06.json", [] },
        { "moby-default-2016-07.json", [] },
        { "moby-default-2018-11.json", ["syscalls[1].includes.minKernel: minKernel \"4.8.0\" has three parts: today's Docker refuses it (\"<kernel>.<major>\"); compared as 4.8"] },
        { "moby-default-2025-05.json", [] },
        { "moby-default-current.json", [] },
        { "podman-containers-common.json", [] },
        { "spo-crun-v1.26.json", [] },
        { "spo-profile-allow-all-syscalls.json", [] },
        { "spo-profile-allow-unsafe.json", [] },
        { "spo-profile-allowed-syscalls.json", [] },
        { "spo-profile-block-all-syscalls.json", [] },
        { "spo-profile-block-all.json", [] },
        { "spo-profile-complain-block-high-risk.json", [] },
        { "spo-profile-complain-unsafe.json", [] },
        { "spo-profile-denied-syscalls.json", [] },
        { "spo-runc-v1.4.2.json", [] },
    };

    [SkippableTheory]
    [MemberData(nameof(CorpusWarnings))]
    public void I_can_read_every_real_profile_with_exactly_its_warnings(string file, string[] warnings)
    {
        // Arrange
        var path = Path.Combine(Paths.Corpus, file);
        Skip.IfNot(File.Exists(path), $"{path} is absent (the shared corpus is not checked out)");

        // Act
        var profile = ProfileReader.ReadFile(path);

        // Assert
        output.WriteLine($"{file}: {profile.Syscalls.Count} rules, {profile.Warnings.Count} warning(s)");
        foreach (var warning in profile.Warnings)
        {
            output.WriteLine($"  {warning}");
        }
        Lines.Equal(warnings.Select(w => $"{path}: {w}"), profile.Warnings);
    }

    [SkippableFact]
    public void I_can_read_every_json_file_of_the_corpus_without_error()
    {
        // Arrange
        Skip.IfNot(Directory.Exists(Paths.Corpus), $"{Paths.Corpus} is absent (the shared corpus is not checked out)");
        var files = Directory.GetFiles(Paths.Corpus, "*.json").Order(StringComparer.Ordinal).ToList();

        // Act
        var failures = new List<string>();
        foreach (var file in files)
        {
            try
            {
                var profile = ProfileReader.ReadFile(file);
                output.WriteLine($"{Path.GetFileName(file)}: {profile.Syscalls.Count} rules, {profile.Warnings.Count} warning(s)");
            }
            catch (ProfileException e)
            {
                failures.Add(e.Message);
            }
        }

        // Assert
        Assert.NotEmpty(files);
        Assert.Empty(failures);
    }
}
