using System.Text;
using SandboxRun.Arch;
using SandboxRun.Diff;
using SandboxRun.Errors;
using SandboxRun.Export;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Export;

/// <summary>
/// Export round trips and shapes: the OCI object compiles to the original's decisions
/// (every syscall number, both machines, several capability sets and kernels); systemd gets
/// SystemCallFilter= when the profile fits it and the ExecStart= form with reasons when not;
/// Kubernetes gets a SeccompProfile that holds no value above int64.
/// </summary>
public sealed class ExportSpecs
{
    private static readonly ResolveOptions Docker = new(Capabilities.Docker, new KernelVersion(6, 18));

    [SkippableFact]
    public void I_can_export_every_real_profile_to_OCI_and_compile_the_same_decisions()
    {
        var files = Paths.RealProfiles().ToList();
        Skip.If(files.Count == 0, "no profiles");
        var optionSets = new[] { Docker, Docker with { Caps = Capabilities.Full }, Docker with { Caps = Capabilities.None, Kernel = new KernelVersion(4, 4) } };
        var compared = 0;
        foreach (var file in files)
        {
            var profile = ProfileReader.ReadFile(file);
            foreach (var target in TargetArch.All)
            {
                foreach (var options in optionSets)
                {
                    // Act
                    var oci = OciExporter.ToJson(OciExporter.Build(profile, target, options));
                    var back = ProfileReader.Read("oci.json", oci);

                    // Assert
                    Assert.Empty(back.Warnings);
                    var diff = ProgramDiff.Compare(PolicyResolver.Resolve(profile, target, options), PolicyResolver.Resolve(back, target, options));
                    Assert.True(diff.Count == 0, $"{file} {target} {options.Caps.Describe()}: {string.Join("; ", diff.Take(3).Select(d => $"{d.Abi.Name} {d.What}: {d.ADescription} | {d.BDescription}"))}");
                    compared++;
                }
            }
        }
        Assert.Equal(files.Count * 6, compared);
    }

    [Fact]
    public void I_can_see_includes_and_excludes_resolved_in_the_OCI_object()
    {
        var profile = ProfileSource.Load("docker-default");

        var plain = OciExporter.ToJson(OciExporter.Build(profile, TargetArch.X86_64, Docker));
        var admin = OciExporter.ToJson(OciExporter.Build(profile, TargetArch.Aarch64, Docker with { Caps = Capabilities.Full }));

        var text = Encoding.UTF8.GetString(plain);
        Assert.DoesNotContain("includes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"mount\"", text, StringComparison.Ordinal);
        Assert.Contains("\"SCMP_ARCH_X32\"", text, StringComparison.Ordinal);
        Assert.Contains("\"mount\"", Encoding.UTF8.GetString(admin), StringComparison.Ordinal);
        Assert.Contains("\"SCMP_ARCH_ARM\"", Encoding.UTF8.GetString(admin), StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_export_a_SeccompProfile_and_a_Pod_that_uses_it()
    {
        var profile = ProfileSource.Load("static-network-server");
        var seccomp = OciExporter.Build(profile, TargetArch.X86_64, Docker);

        var yaml = OciExporter.ToKubernetesYaml(seccomp, profile, "static-network-server", "web", "header");

        var lines = yaml.Split('\n');
        Assert.Contains("kind: SeccompProfile", lines);
        Assert.Contains("  defaultAction: \"SCMP_ACT_KILL_PROCESS\"", lines);
        Assert.Contains("    - names:", lines);
        Assert.Contains("          op: \"SCMP_CMP_MASKED_EQ\"", lines);
        Assert.Contains("          value: 4294967295", lines);
        Assert.Contains("      localhostProfile: operator/web/static-network-server.json", lines);
        Assert.Contains("      errnoRet: \"38\"", lines); // a string in the CRD
        Assert.DoesNotContain(lines, l => l.Contains("defaultErrnoRet", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.StartsWith("apiVersion:", StringComparison.Ordinal)));
    }

    [Fact]
    public void I_cannot_put_a_value_above_int64_in_a_SeccompProfile()
    {
        var profile = ProfileReader.Read("big.json", Encoding.UTF8.GetBytes("""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["ioctl"], "action": "SCMP_ACT_ERRNO",
              "args": [ { "index": 1, "value": 9223372036854775808, "op": "SCMP_CMP_GE" } ] } ] }
            """));
        var seccomp = OciExporter.Build(profile, TargetArch.X86_64, Docker);

        var e = Assert.Throws<PolicyException>(() => OciExporter.ToKubernetesYaml(seccomp, profile, "big", "default", "h"));

        Assert.Equal("big.json: syscalls[0].args[0]: 9223372036854775808 is above 2^63-1, which a SeccompProfile (int64 fields) cannot hold; use the localhost JSON profile instead", e.Message);
    }

    [Fact]
    public void I_cannot_put_a_default_errno_other_than_EPERM_in_a_SeccompProfile()
    {
        var profile = ProfileReader.Read("enosys.json", Encoding.UTF8.GetBytes("""{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38 }"""));
        var seccomp = OciExporter.Build(profile, TargetArch.X86_64, Docker);

        var e = Assert.Throws<PolicyException>(() => OciExporter.ToKubernetesYaml(seccomp, profile, "enosys", "default", "h"));

        Assert.Equal("enosys.json: defaultErrnoRet: a SeccompProfile has no defaultErrnoRet, so its default action can only return EPERM, not ENOSYS; use the localhost JSON profile instead", e.Message);
    }

    private static string Systemd(string json, params string[] command) =>
        SystemdExporter.Export(new SystemdExporter.Request(
            ProfileReader.Read("p.json", Encoding.UTF8.GetBytes(json)), TargetArch.X86_64, Docker, "/etc/p.json", [], "/usr/bin/sandboxrun", command));

    [Fact]
    public void I_can_export_an_allow_list_as_SystemCallFilter()
    {
        var unit = Systemd("""
            { "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
              "syscalls": [ { "names": ["read", "write", "execve"], "action": "SCMP_ACT_ALLOW" },
                            { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } } ] }
            """).Split('\n');

        Assert.Contains("SystemCallArchitectures=x86-64 x86", unit);
        Assert.Contains("SystemCallErrorNumber=EACCES", unit);
        Assert.Contains("SystemCallFilter=read write execve", unit);
        Assert.DoesNotContain(unit, l => l.StartsWith("ExecStart", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_export_a_deny_list_with_an_errno_per_name()
    {
        var unit = Systemd("""
            { "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [ { "names": ["mkdir", "rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                            { "names": ["reboot"], "action": "SCMP_ACT_KILL_PROCESS" } ] }
            """).Split('\n');

        Assert.Contains("SystemCallArchitectures=native", unit);
        Assert.Contains("SystemCallFilter=~mkdir:EACCES rmdir:EACCES reboot", unit);
        Assert.DoesNotContain(unit, l => l.StartsWith("SystemCallErrorNumber", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_see_why_a_profile_needs_sandboxrun_in_ExecStart()
    {
        var unit = Systemd("""
            { "defaultAction": "SCMP_ACT_ERRNO",
              "syscalls": [ { "names": ["execve"], "action": "SCMP_ACT_ALLOW" },
                            { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 2, "op": "SCMP_CMP_EQ" } ] },
                            { "names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 } ] }
            """, "/usr/bin/app", "--port", "80 80", "50%").Split('\n');

        Assert.Contains("#   syscalls[1] (socket) filters by argument (a0 == 2): SystemCallFilter= takes names only", unit);
        Assert.Contains(unit, l => l.StartsWith("#   syscalls[2] (clone3): SCMP_ACT_ERRNO(ENOSYS) beside SCMP_ACT_ALLOW", StringComparison.Ordinal));
        Assert.Contains("ExecStart=", unit);
        Assert.Contains("ExecStart=/usr/bin/sandboxrun run --profile /etc/p.json -- /usr/bin/app --port \"80 80\" 50%%", unit);
        Assert.DoesNotContain(unit, l => l.StartsWith("SystemCallFilter", StringComparison.Ordinal));
    }
}
