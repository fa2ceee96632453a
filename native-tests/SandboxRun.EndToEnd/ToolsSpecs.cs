using System.Text.Json;
using System.Text.Json.Nodes;

namespace SandboxRun.EndToEnd;

/// <summary>
/// The profile tools through the real binary: lint, diff, derive and export answer with
/// their documented exit codes and outputs, stacked profiles show each layer in check, and
/// the stacked answers check predicts are the ones the kernel gives.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class ToolsSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Corpus(string name)
    {
        var path = Repo.Corpus(name);
        Skip.IfNot(File.Exists(path), $"{path} is missing (the shared corpus sits beside the repository)");
        return path;
    }

    [SkippableTheory]
    [InlineData("lint --help", "--json")]
    [InlineData("diff --help", "--arch")]
    [InlineData("derive --help", "--deny")]
    [InlineData("export --help", "--format")]
    public async Task I_can_get_help_on_each_tool(string args, string expected)
    {
        var result = await Sandboxrun.RunAsync(args.Split(' '));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(expected, result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("diff docker-default", "Required argument missing for command: 'diff'")]
    [InlineData("export --profile docker-default", "Option '--format' is required")]
    [InlineData("derive --from docker-default", "derive: say what to change: --remove, --allow or --deny NAMES")]
    [InlineData("derive --from docker-default --allow ptrce", "derive --allow: \"ptrce\" is not a syscall on any arch (did you mean ptrace?)")]
    [InlineData("lint", "lint: give one --profile (it was given 0 times)")]
    [InlineData("export --profile docker-default --format k8s --name Bad_Name", "--name: \"Bad_Name\" is not a Kubernetes name")]
    public async Task I_cannot_misuse_a_tool_without_exit_2_and_one_line(string args, string expected)
    {
        var result = await Sandboxrun.RunAsync(args.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        var line = Assert.Single(Sandboxrun.Lines(result.StandardError));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    // ---- lint ---------------------------------------------------------------------------

    [SkippableFact]
    public async Task I_can_lint_a_clean_profile_and_get_0()
    {
        var result = await Sandboxrun.RunAsync("lint", "--profile", "static-network-server");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("static-network-server: 0 errors, 0 warnings, 1 infos", Sandboxrun.Lines(result.StandardOutput)[^1]);
    }

    [SkippableFact]
    public async Task I_can_lint_Dockers_default_and_get_1_for_its_socket_rule()
    {
        var profile = Corpus("moby-default-current.json");

        var text = await Sandboxrun.RunAsync("lint", "--profile", profile);
        var json = await Sandboxrun.RunAsync("lint", "--profile", profile, "--json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains(Sandboxrun.Lines(text.StandardOutput), l => l.StartsWith($"{profile}: syscalls[4].args[0]: warning [argument-width]: a0 > 0x28 is a 64-bit comparison", StringComparison.Ordinal));
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StandardOutput);
        var finding = doc.RootElement.EnumerateArray().Single(f => f.GetProperty("code").GetString() == "argument-width");
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal("syscalls[4].args[0]", finding.GetProperty("path").GetString());
        Assert.Contains("SCMP_CMP_MASKED_EQ", finding.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task I_can_lint_an_invalid_profile_and_get_2_with_every_problem()
    {
        var profile = _temp.Write("bad.json", """{ "defaultAction": "SCMP_ACT_ALOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERNO" } ] }""");

        var result = await Sandboxrun.RunAsync("lint", "--profile", profile);

        Assert.Equal(2, result.ExitCode);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Contains($"{profile}: defaultAction: error [invalid]: unknown action \"SCMP_ACT_ALOW\" (did you mean SCMP_ACT_ALLOW?)", lines);
        Assert.Contains(lines, l => l.StartsWith($"{profile}: syscalls[0].action: error [invalid]: unknown action \"SCMP_ACT_ERNO\"", StringComparison.Ordinal));
        Assert.Equal($"{profile}: 2 errors, 0 warnings, 0 infos", lines[^1]);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_apply_lints_fix_to_Dockers_socket_rule_and_see_the_kernel_refuse_AF_ALG()
    {
        // Arrange: Docker's current profile with syscalls[4] (a0 > 40) replaced as lint says:
        // one MASKED_EQ rule on the low 32 bits per family the kernel accepts above 40.
        Probe.SkipIfMissing();
        var root = JsonNode.Parse(await File.ReadAllTextAsync(Corpus("moby-default-current.json")))!.AsObject();
        var rules = root["syscalls"]!.AsArray();
        Assert.Equal("SCMP_CMP_GT", rules[4]!["args"]![0]!["op"]!.GetValue<string>());
        rules.RemoveAt(4);
        foreach (var family in new[] { 41, 42, 43, 44, 45 })
        {
            rules.Insert(4, (JsonNode)JsonNode.Parse($$"""{ "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 4294967295, "valueTwo": {{family}}, "op": "SCMP_CMP_MASKED_EQ" } ] }""")!);
        }
        var fixedProfile = _temp.Write("docker-fixed.json", root.ToJsonString());

        // Act
        var lint = await Sandboxrun.RunAsync("lint", "--profile", fixedProfile);
        var high = await Probe.UnderAsync(["--profile", fixedProfile], "socket-high");
        var xdp = await Probe.UnderAsync(["--profile", fixedProfile], "call", "socket", "44", "1", "0");

        // Assert: no finding left, and socket(0x100000026, ...) is now denied by the filter
        // (Docker's own profile lets it reach the kernel: AttackSpecs).
        Assert.DoesNotContain("argument-width", lint.StandardOutput, StringComparison.Ordinal);
        Launch.AssertExit(Errno.EPERM, high);
        Assert.NotEqual(Errno.EPERM, xdp.ExitCode);
    }

    // ---- diff and derive -------------------------------------------------------------------

    [SkippableFact]
    public async Task I_can_diff_a_profile_with_itself_and_get_nothing_and_0()
    {
        var result = await Sandboxrun.RunAsync("diff", "docker-default", "docker-default");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        Assert.Equal("", result.StandardError);
    }

    [SkippableFact]
    public async Task I_can_diff_Dockers_2016_default_with_todays_and_get_1()
    {
        var old = Corpus("moby-default-2016-07.json");
        var current = Corpus("moby-default-current.json");

        var result = await Sandboxrun.RunAsync("diff", old, current, "--arch", "x86_64");

        Assert.Equal(1, result.ExitCode);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal([$"--- A: {old}", $"+++ B: {current}", "x86_64:"], lines[..3]);
        Assert.Contains("  socket (41): differs on 2 argument vector(s) tried, e.g. (38, 0, 0, 0, 0, 0): A SCMP_ACT_ALLOW | B SCMP_ACT_ERRNO(EPERM)", lines);
        Assert.Contains("  syslog (103): A SCMP_ACT_ALLOW | B SCMP_ACT_ERRNO(EPERM) (default)", lines);
        Assert.Matches(@"^\d+ differences \(x86_64 \d+, x86 \d+, x32 \d+\)$", lines[^1]);
    }

    [SkippableFact]
    public async Task I_can_derive_a_profile_and_diff_shows_exactly_the_change()
    {
        // Arrange
        var derived = _temp.File("derived.json");

        // Act
        var derive = await Sandboxrun.RunAsync("derive", "--from", "docker-default", "--deny", "mkdirat:EACCES", "--allow", "vhangup", "-o", derived);
        var diff = await Sandboxrun.RunAsync("diff", "docker-default", derived, "--arch", "aarch64");

        // Assert
        Assert.Equal(0, derive.ExitCode);
        Assert.Equal("", derive.StandardError);
        Assert.Equal(1, diff.ExitCode);
        Assert.Equal(
            [
                "--- A: docker-default", $"+++ B: {derived}",
                "aarch64:",
                "  mkdirat (34): A SCMP_ACT_ALLOW | B SCMP_ACT_ERRNO(EACCES)",
                "  vhangup (58): A SCMP_ACT_ERRNO(EPERM) (default) | B SCMP_ACT_ALLOW",
                "arm:",
                "  vhangup (111): A SCMP_ACT_ERRNO(EPERM) (default) | B SCMP_ACT_ALLOW",
                "  mkdirat (323): A SCMP_ACT_ALLOW | B SCMP_ACT_ERRNO(EACCES)",
                "4 differences (aarch64 2, arm 2)",
            ],
            Sandboxrun.Lines(diff.StandardOutput));
    }

    [SkippableFact]
    public async Task I_can_derive_the_io_uring_recipe_and_hear_that_Docker_already_denies_it()
    {
        var derived = _temp.File("no-io-uring.json");

        var derive = await Sandboxrun.RunAsync("derive", "--from", "docker-default", "--remove", "io_uring_setup,io_uring_enter,io_uring_register", "-o", derived);
        var diff = await Sandboxrun.RunAsync("diff", "docker-default", derived);

        Assert.Equal(0, derive.ExitCode);
        Assert.Equal(3, Sandboxrun.Lines(derive.StandardError).Count(l => l.StartsWith("sandboxrun: note: derive --remove: docker-default names no \"io_uring_", StringComparison.Ordinal)));
        Assert.Equal(0, diff.ExitCode);
    }

    // ---- export -----------------------------------------------------------------------------

    [SkippableFact]
    public async Task I_can_export_to_OCI_and_compile_the_same_program()
    {
        var oci = _temp.File("oci.json");

        var export = await Sandboxrun.RunAsync("export", "--profile", "docker-default", "--format", "oci", "-o", oci);
        var original = await Sandboxrun.RunAsync("compile", "--profile", "docker-default");
        var exported = await Sandboxrun.RunAsync("compile", "--profile", oci);

        Assert.Equal(0, export.ExitCode);
        Assert.Equal(0, exported.ExitCode);
        Assert.Equal(original.StandardOutput, exported.StandardOutput);
    }

    [SkippableFact]
    public async Task I_can_export_for_Kubernetes_a_SeccompProfile_and_the_localhost_JSON()
    {
        var yaml = _temp.File("web.yaml");

        var export = await Sandboxrun.RunAsync("export", "--profile", "static-network-server", "--format", "k8s", "--namespace", "shop", "-o", yaml);
        var compiled = await Sandboxrun.RunAsync("compile", "--profile", _temp.File("web.json"));

        Assert.Equal(0, export.ExitCode);
        var text = await File.ReadAllTextAsync(yaml);
        Assert.Contains("kind: SeccompProfile\nmetadata:\n  name: static-network-server\n  namespace: shop\n", text, StringComparison.Ordinal);
        Assert.Contains("localhostProfile: operator/shop/static-network-server.json", text, StringComparison.Ordinal);
        Assert.Equal(0, compiled.ExitCode);
        // Where python3 and PyYAML are present, the YAML is checked by a real parser.
        var python = await ParseYamlAsync(yaml);
        if (python is not null)
        {
            Assert.Equal("SeccompProfile SCMP_ACT_KILL_PROCESS Pod Localhost", python);
        }
    }

    private static async Task<string?> ParseYamlAsync(string path)
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return null;
        }
        var result = await Launch.ProcessAsync("/usr/bin/python3", ["-c", """
            import sys
            try:
                import yaml
            except ImportError:
                sys.exit(3)
            a, b = yaml.safe_load_all(open(sys.argv[1]))
            print(a["kind"], a["spec"]["defaultAction"], b["kind"], b["spec"]["securityContext"]["seccompProfile"]["type"])
            """, path]);
        return result.ExitCode == 3 ? null : result.StandardOutput.Trim();
    }

    [SkippableFact]
    public async Task I_can_export_systemd_drop_ins_that_systemd_analyze_accepts()
    {
        // Arrange
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing (apt-get install systemd)");
        var denyList = _temp.Write("deny.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
            """);

        // Act
        var native = await Sandboxrun.RunAsync("export", "--profile", denyList, "--format", "systemd");
        var wrapped = await Sandboxrun.RunAsync("export", "--profile", "docker-default", "--format", "systemd", "--binary", Repo.Binary, "--", "/bin/echo", "hello world");

        // Assert: each drop-in, added to a unit, passes systemd's own checks.
        Assert.Contains("SystemCallFilter=~mkdir:EACCES mkdirat:EACCES", Sandboxrun.Lines(native.StandardOutput));
        Assert.Contains($"ExecStart={Repo.Binary} run --profile docker-default -- /bin/echo \"hello world\"", Sandboxrun.Lines(wrapped.StandardOutput));
        foreach (var (name, dropIn) in new[] { ("native", native.StandardOutput), ("wrapped", wrapped.StandardOutput) })
        {
            var unit = _temp.Write($"sandboxrun-{name}.service", "[Unit]\nDescription=sandboxrun export test\n[Service]\nExecStart=/bin/true\n" + dropIn);
            var verify = await Launch.ProcessAsync("/usr/bin/systemd-analyze", ["verify", unit]);
            Assert.True(verify.ExitCode == 0, $"{name}: systemd-analyze verify exited {verify.ExitCode}: {verify.StandardError}");
        }
    }

    // ---- stacking ------------------------------------------------------------------------------

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_stack_two_profiles_and_see_check_predict_both_denials_the_kernel_makes()
    {
        // Arrange: each layer denies a different call, on both machines.
        Probe.SkipIfMissing();
        var noMkdir = _temp.Write("no-mkdirat.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
            """);
        var noUnlink = _temp.Write("no-unlinkat.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["unlinkat", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
            """);
        string[] both = ["--profile", noMkdir, "--profile", noUnlink];

        // Act
        var check = await Sandboxrun.RunAsync(["check", .. both, "mkdirat", "unlinkat", "getpid"]);
        var mkdirat = await Probe.UnderAsync(both, "call", "mkdirat", "-100", "0", "0");
        var unlinkat = await Probe.UnderAsync(both, "call", "unlinkat", "-100", "0", "0");
        var getpid = await Probe.UnderAsync(both, "call", "getpid");

        // Assert: both denials happen; for mkdirat both layers deny and the later layer's errno
        // wins (the kernel walks from the newest filter), as check says.
        Assert.Equal(1, check.ExitCode);
        var lines = Sandboxrun.Lines(check.StandardOutput);
        Assert.StartsWith("mkdirat(): SCMP_ACT_ERRNO(EACCES) (not allowed)", lines[0], StringComparison.Ordinal);
        Assert.Equal($"  layer 1 ({noMkdir}): SCMP_ACT_ERRNO(EPERM)", lines[1]);
        Assert.Contains($"  layer 2 ({noUnlink}): SCMP_ACT_ERRNO(EACCES)  <- the kernel takes this answer", lines);
        Assert.Contains(lines, l => l.StartsWith("unlinkat(): SCMP_ACT_ERRNO(EACCES) (not allowed)", StringComparison.Ordinal));
        Launch.AssertExit(Errno.EACCES, mkdirat);
        Launch.AssertExit(Errno.EACCES, unlinkat);
        Launch.AssertExit(0, getpid);
    }

    [SkippableFact]
    public async Task I_can_compile_a_stack_as_text_but_not_as_one_raw_program()
    {
        var disasm = await Sandboxrun.RunAsync("compile", "--profile", "docker-default", "--profile", "nodejs");
        var raw = await Sandboxrun.RunAsync("compile", "--profile", "docker-default", "--profile", "nodejs", "--format", "raw");

        Assert.Equal(0, disasm.ExitCode);
        Assert.Equal(2, Sandboxrun.Lines(disasm.StandardOutput).Count(l => l.StartsWith("; layer ", StringComparison.Ordinal)));
        Assert.Equal(2, raw.ExitCode);
        Assert.Equal("sandboxrun: compile --format raw writes one program; compile each of the 2 layers on its own (bwrap takes one --seccomp FD per layer)", raw.StandardError.Trim());
    }
}
