using System.Text;
using System.Text.Json.Nodes;
using SandboxRun.Lint;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Lint;

/// <summary>
/// Each check of <c>sandboxrun lint</c> on a small profile that has the mistake, and on the
/// same profile without it; the shipped profiles run clean but for documented findings.
/// </summary>
public sealed class LintSpecs
{
    private static readonly ResolveOptions Options = new(Capabilities.Docker, new KernelVersion(6, 18));

    private static Linter.Result Lint(string json) => Linter.Lint("p.json", Encoding.UTF8.GetBytes(json), Options);

    private static Finding Single(string json, string code) => Assert.Single(Lint(json).Findings, f => f.Code == code);

    private static void None(string json, string code) => Assert.DoesNotContain(Lint(json).Findings, f => f.Code == code);

    /// <summary>A profile that allows exactly these calls (ENOSYS for the ones libc falls back from).</summary>
    private static string AllowOnly(string rules) => $$"""
        { "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [ {{rules}} ] }
        """;

    [Fact]
    public void I_can_see_an_unknown_field_with_its_path_and_the_field_meant()
    {
        var f = Single("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "coment": "no mkdir" } ] }""", "unknown-field");

        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("syscalls[0].coment", f.Path);
        Assert.Equal("comment", f.Fix);
    }

    [Fact]
    public void I_can_see_a_misspelled_capability_with_the_name_meant()
    {
        var f = Single("""
            { "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMN"] } } ] }
            """, "unknown-cap");

        Assert.Equal(("syscalls[0].includes.caps[0]", "CAP_SYS_ADMIN"), (f.Path, f.Fix));
    }

    [Fact]
    public void I_can_see_a_misspelled_action_as_an_error_and_the_profile_as_unreadable()
    {
        var result = Lint("""{ "defaultAction": "SCMP_ACT_ALOW" }""");

        Assert.False(result.Readable);
        var f = Assert.Single(result.Findings);
        Assert.Equal((Severity.Error, "invalid", "defaultAction", "SCMP_ACT_ALLOW"), (f.Severity, f.Code, f.Path, f.Fix));
    }

    [Fact]
    public void I_can_see_a_syscall_name_no_arch_knows_with_the_name_meant()
    {
        var f = Single(AllowOnly("""{ "names": ["execve", "mkdri"], "action": "SCMP_ACT_ALLOW" }"""), "unknown-syscall");

        Assert.Equal("syscalls[0].names[1]", f.Path);
        Assert.Equal("mkdir", f.Fix);
        // Names of arches without a table (s390, riscv) are not typos.
        None(AllowOnly("""{ "names": ["execve", "riscv_hwprobe", "s390_runtime_instr"], "action": "SCMP_ACT_ALLOW" }"""), "unknown-syscall");
    }

    [Fact]
    public void I_can_see_a_name_aarch64_lacks_when_its_aarch64_call_is_missing()
    {
        const string Template = """
            { "defaultAction": "SCMP_ACT_ERRNO", "archMap": [ { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": [] } ],
              "syscalls": [ { "name": "{{NAMES}}", "action": "SCMP_ACT_ALLOW" } ] }
            """;
        var missing = Lint(Template.Replace("\"name\": \"{{NAMES}}\"", "\"names\": [\"execve\", \"open\"]", StringComparison.Ordinal)).Findings;
        var fixedOne = Lint(Template.Replace("\"name\": \"{{NAMES}}\"", "\"names\": [\"execve\", \"open\", \"openat\"]", StringComparison.Ordinal)).Findings;

        var f = Assert.Single(missing, f => f is { Code: "missing-on-aarch64", Severity: Severity.Warning });
        Assert.Equal("syscalls[0].names[1]", f.Path);
        Assert.Contains("libc calls openat instead", f.Message, StringComparison.Ordinal);
        Assert.Equal("add \"openat\" beside \"open\"", f.Fix);
        var info = Assert.Single(fixedOne, f => f.Code == "missing-on-aarch64");
        Assert.Equal(Severity.Info, info.Severity);
        Assert.EndsWith("skipped there (their aarch64 counterparts are named, or there are none): open", info.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_see_runcs_same_index_split_turn_an_and_into_an_or()
    {
        var f = Single("""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["personality"], "action": "SCMP_ACT_ERRNO",
              "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_GE" }, { "index": 0, "value": 16, "op": "SCMP_CMP_LE" } ] } ] }
            """, "same-index-or");

        Assert.Equal("syscalls[0].args", f.Path);
        Assert.Contains("not \"a0 >= 8 && a0 <= 0x10\" but {SCMP_ACT_ERRNO(EPERM) if a0 >= 8} || {SCMP_ACT_ERRNO(EPERM) if a0 <= 0x10}", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_see_a_rule_whose_action_is_the_default()
    {
        var f = Single(AllowOnly("""{ "names": ["execve"], "action": "SCMP_ACT_ALLOW" }, { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO" }"""), "same-as-default");

        Assert.Equal("syscalls[1].action", f.Path);
    }

    [Fact]
    public void I_can_see_rules_shadowed_by_an_unconditional_rule_before_or_after_them()
    {
        var findings = Lint(AllowOnly("""
            { "names": ["execve", "mkdir"], "action": "SCMP_ACT_ALLOW" },
            { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
            { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] },
            { "names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS" }
            """)).Findings.Where(f => f.Code == "shadowed").ToList();

        Assert.Equal(["syscalls[1]", "syscalls[2]"], findings.Select(f => f.Path));
        Assert.Contains("already decided by syscalls[0]", findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("syscalls[3] (SCMP_ACT_KILL_PROCESS)", findings[1].Message, StringComparison.Ordinal);
        // Rules under includes/excludes decide only in some configurations: no finding.
        None(AllowOnly("""
            { "names": ["execve", "mkdir"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
            { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
            """), "shadowed");
    }

    [Fact]
    public void I_can_see_a_conflict_Docker_refuses_as_an_error()
    {
        var f = Single(AllowOnly("""
            { "names": ["execve"], "action": "SCMP_ACT_ALLOW" },
            { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] },
            { "names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] }
            """), "conflict");

        Assert.Equal((Severity.Error, "syscalls[2]"), (f.Severity, f.Path));
        Assert.Contains("libseccomp refuses the rule (EEXIST)", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_see_the_argument_width_trap_of_Dockers_socket_rule_and_its_fix_works()
    {
        // Arrange: Docker's current rule, socket allowed when a0 > 40 (AF_VSOCK).
        const string Docker = """
            { "defaultAction": "SCMP_ACT_ERRNO", "archMap": [ { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": [] } ],
              "syscalls": [ { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 40, "op": "SCMP_CMP_GT" } ] },
                            { "names": ["execve"], "action": "SCMP_ACT_ALLOW" } ] }
            """;

        // Act
        var f = Single(Docker, "argument-width");

        // Assert: the finding, and the rewrite it proposes really closes the hole.
        Assert.Equal("syscalls[0].args[0]", f.Path);
        Assert.Contains("socket(… 0x100000026 …), which the kernel reads as 38 (AF_ALG)", f.Message, StringComparison.Ordinal);
        Assert.Contains("for V in 41 (AF_KCM), 42 (AF_QIPCRTR), 43 (AF_SMC), 44 (AF_XDP), 45 (AF_MCTP)", f.Fix, StringComparison.Ordinal);
        var root = JsonNode.Parse(Docker)!.AsObject();
        var rules = root["syscalls"]!.AsArray();
        rules.RemoveAt(0);
        foreach (var family in new[] { 41, 42, 43, 44, 45 })
        {
            rules.Add((JsonNode)JsonNode.Parse($$"""{ "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ {"index": 0, "value": 4294967295, "valueTwo": {{family}}, "op": "SCMP_CMP_MASKED_EQ"} ] }""")!);
        }
        var fixedJson = root.ToJsonString();
        var before = Compile.Policy(Docker);
        var after = Compile.Policy(fixedJson);
        Assert.Equal(SeccompAction.Allow, Compile.Decide(before, "socket", 0x1_0000_0026));
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(after, "socket", 0x1_0000_0026));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(after, "socket", 44));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(after, "socket", 0x1_0000_002c)); // the kernel reads 44, allowed either way
        None(fixedJson, "argument-width");
    }

    [Fact]
    public void I_can_see_the_argument_width_trap_of_a_deny_rule_but_not_of_a_64_bit_argument()
    {
        // A deny rule on an int (personality's persona) misses 0x100000008; clone's flags are 64-bit.
        var deny = Single("""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] } ] }
            """, "argument-width");

        Assert.Contains("misses personality(… 0x100000008 …)", deny.Message, StringComparison.Ordinal);
        None("""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["clone"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_GT" } ] } ] }
            """, "argument-width");
    }

    [Fact]
    public void I_can_see_what_a_profile_allows_that_Dockers_default_denies_with_Dockers_reason()
    {
        var findings = Lint(AllowOnly("""{ "names": ["execve", "mount", "syslog", "vhangup", "socket"], "action": "SCMP_ACT_ALLOW" }""")).Findings
            .Where(f => f.Code == "weaker-than-docker").ToList();

        Assert.Contains(findings, f => f.Message.StartsWith("allows mount, which Docker's default denies", StringComparison.Ordinal) && f.Message.EndsWith("mounts (also CAP_SYS_ADMIN)", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Message.StartsWith("allows socket, which Docker's default allows only for some arguments", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Message.EndsWith("leaves off its allow-list (x86_64, Docker's 14 default capabilities): syslog, vhangup", StringComparison.Ordinal));
        Assert.All(findings, f => Assert.Equal("syscalls[0]", f.Path));
    }

    [Fact]
    public void I_can_see_EPERM_where_libc_needs_ENOSYS_to_fall_back()
    {
        var findings = Lint(AllowOnly("""{ "names": ["execve"], "action": "SCMP_ACT_ALLOW" }, { "names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }""")).Findings
            .Where(f => f.Code == "needs-enosys").ToList();

        // clone3 (435) is named with EACCES; faccessat2 (439) and the others are above it: runc's stub gives them ENOSYS.
        var f = Assert.Single(findings);
        Assert.Equal("syscalls[1]", f.Path);
        Assert.StartsWith("clone3 gets SCMP_ACT_ERRNO(EACCES), but glibc 2.34+", f.Message, StringComparison.Ordinal);
        None(AllowOnly("""{ "names": ["execve"], "action": "SCMP_ACT_ALLOW" }, { "names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 }"""), "needs-enosys");
    }

    [Fact]
    public void I_can_see_KILL_THREAD_TRACE_and_NOTIFY_without_a_listener()
    {
        var findings = Lint("""
            { "defaultAction": "SCMP_ACT_KILL", "syscalls": [
              { "names": ["execve"], "action": "SCMP_ACT_ALLOW" },
              { "names": ["mkdir"], "action": "SCMP_ACT_TRACE" },
              { "names": ["rmdir"], "action": "SCMP_ACT_NOTIFY" } ] }
            """).Findings;

        Assert.Equal("defaultAction", Assert.Single(findings, f => f.Code == "kill-thread").Path);
        Assert.Equal("syscalls[1].action", Assert.Single(findings, f => f.Code == "trace-without-tracer").Path);
        Assert.Equal("syscalls[2].action", Assert.Single(findings, f => f.Code == "notify-without-listener").Path);
    }

    [Fact]
    public void I_can_lint_the_shipped_profiles_clean_but_for_Dockers_own_socket_rule()
    {
        foreach (var name in ProfileSource.BuiltInNames)
        {
            var (source, bytes) = ProfileSource.LoadBytes(name);
            var result = Linter.Lint(source, bytes, Options);
            var serious = result.Findings.Where(f => f.Severity != Severity.Info).Select(f => $"{f.Path} {f.Code}").ToList();
            // docker-default is Docker's profile as Docker ships it (sandboxrun predicts Docker):
            // its socket rule a0 > 40 is the documented argument-width finding.
            Assert.Equal(name == "docker-default" ? ["syscalls[4].args[0] argument-width"] : [], serious);
        }
    }

    [SkippableFact]
    public void I_can_lint_every_real_profile_and_find_the_trap_in_Dockers_current_default()
    {
        var files = Paths.RealProfiles().ToList();
        Skip.If(files.Count == 0, "../shared/corpus is absent");
        foreach (var file in files)
        {
            var result = Linter.Lint(file, File.ReadAllBytes(file), Options);
            Assert.True(result.Readable, file);
            Assert.All(result.Findings, f => Assert.False(string.IsNullOrEmpty(f.Message)));
        }
        var current = Path.Combine(Paths.Corpus, "moby-default-current.json");
        Skip.IfNot(File.Exists(current), $"{current} is absent");
        Assert.Contains(Linter.Lint(current, File.ReadAllBytes(current), Options).Findings, f => f is { Code: "argument-width", Path: "syscalls[4].args[0]" });
    }

    [SkippableFact]
    public void I_can_lint_the_corpus_and_find_what_READMEs_table_says_for_each_profile()
    {
        // Arrange: the table of README's "### lint" (Docker caps, kernel 6.18)
        Skip.IfNot(Directory.Exists(Paths.Corpus), "../shared/corpus is absent");
        var rows = ReadmeLintTable.Read();
        var problems = new List<string>();
        var covered = new List<string>();

        // Act: lint each profile a row names and compare the counts per code and severity
        foreach (var row in rows)
        {
            foreach (var (name, file) in ReadmeLintTable.Files(row, Paths.Corpus))
            {
                if (file is null)
                {
                    problems.Add($"{row.Profiles}: {name} is no file of the corpus");
                    continue;
                }
                covered.Add(Path.GetFileName(file));
                var found = new SortedDictionary<string, int>(StringComparer.Ordinal);
                foreach (var f in Linter.Lint(file, File.ReadAllBytes(file), Options).Findings)
                {
                    var key = ReadmeLintTable.Key(f.Code, f.Severity.ToString().ToLowerInvariant());
                    found[key] = found.GetValueOrDefault(key) + 1;
                }
                if (!found.SequenceEqual(row.Counts))
                {
                    problems.Add($"{Path.GetFileName(file)}: README says {Counts(row.Counts)}; lint finds {Counts(found)}");
                }
            }
        }

        // Assert: every profile of the corpus has exactly one row, and each row is right
        var files = Directory.GetFiles(Paths.Corpus, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        problems.AddRange(files.Except(covered).Select(f => $"{f}: no row in README's lint table"));
        problems.AddRange(covered.GroupBy(f => f).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {g.Count()} rows in README's lint table"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The counts as the table writes them: "code N", "code N info".</summary>
    private static string Counts(SortedDictionary<string, int> counts) =>
        counts.Count == 0
            ? "none"
            : string.Join(", ", counts.Select(c => c.Key.Split(' ') is [var code, var severity] && severity != "warning" ? $"{code} {c.Value} {severity}" : $"{c.Key.Split(' ')[0]} {c.Value}"));
}
