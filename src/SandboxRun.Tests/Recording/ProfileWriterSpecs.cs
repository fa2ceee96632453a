using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Recording;

namespace SandboxRun.Tests.Recording;

/// <summary>
/// Profiles written from the names a program used, judged by their compiled programs on
/// every syscall number of every ABI of the machine: what was used is allowed, and nothing
/// else changes.
/// </summary>
public sealed class ProfileWriterSpecs
{
    private static readonly ResolveOptions Options = new(Capabilities.Docker, new KernelVersion(6, 18));

    private static Dictionary<Arch.Arch, SortedSet<string>> Used(params (Arch.Arch Abi, string[] Names)[] used) =>
        used.ToDictionary(u => u.Abi, u => new SortedSet<string>(u.Names, StringComparer.Ordinal));

    private static BpfProgram Program(byte[] json, TargetArch target) =>
        SeccompCompiler.Compile(PolicyResolver.Resolve(ProfileReader.Read("written.json", json), target, Options));

    private static uint Run(BpfProgram program, Arch.Arch abi, uint nr, ulong arg = 0) =>
        Interpreter.Run(program, SeccompData.Of(abi.AuditArch, nr, [arg, arg, arg, arg, arg, arg])).ReturnValue;

    private static bool Allows(BpfProgram program, Arch.Arch abi, uint nr) => Run(program, abi, nr) == SeccompAction.SECCOMP_RET_ALLOW;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void I_can_write_a_minimal_profile_that_allows_exactly_what_was_used(int seed)
    {
        var random = new Random(seed);
        var native = Arch.Arch.X86_64.Table.Where(_ => random.Next(4) == 0).Select(e => e.Name).Append("execve").ToArray();
        var compat = Arch.Arch.X86.Table.Where(_ => random.Next(20) == 0).Select(e => e.Name).ToArray();
        var used = Used((Arch.Arch.X86_64, native), (Arch.Arch.X86, compat));

        var json = ProfileWriter.Minimal(TargetArch.X86_64, used, "test");
        var program = Program(json, TargetArch.X86_64);

        // Docker's format names syscalls for every arch at once: the union is allowed where it exists.
        var names = new HashSet<string>(native.Concat(compat), StringComparer.Ordinal);
        foreach (var abi in new[] { Arch.Arch.X86_64, Arch.Arch.X86 })
        {
            foreach (var e in abi.Table)
            {
                Assert.True(names.Contains(e.Name) == Allows(program, abi, e.Number), $"{abi} {e.Name}");
            }
        }
        // x32 was not used: it is not listed, so its numbers are killed.
        Assert.All(Arch.Arch.X32.Table, e => Assert.False(Allows(program, Arch.Arch.X32, e.Number)));
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"SCMP_ARCH_X86\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SCMP_ARCH_X32", text, StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_add_what_a_program_used_to_a_copy_of_docker_default_and_change_nothing_else()
    {
        var (profile, bytes) = ProfileSource.LoadWithJson("docker-default");
        var warnings = new List<string>();
        var used = Used((Arch.Arch.X86_64, ["execve", "getpid", "mount", "unshare", "personality"]));

        var json = ProfileWriter.Merge(profile, bytes, TargetArch.X86_64, used, "test", Options, warnings);

        var before = SeccompCompiler.Compile(PolicyResolver.Resolve(profile, TargetArch.X86_64, Options));
        var after = Program(json, TargetArch.X86_64);
        var added = new HashSet<string>(["mount", "unshare"], StringComparer.Ordinal);
        foreach (var abi in TargetArch.X86_64.AllArches)
        {
            for (var nr = abi == Arch.Arch.X32 ? Arch.Arch.X32_SYSCALL_BIT : 0; nr <= abi.MaxNumber + 64; nr++)
            {
                if (abi.NameOf(nr) is { } name && added.Contains(name))
                {
                    Assert.True(Allows(after, abi, nr), $"{abi} {name}");
                    continue;
                }
                Assert.Equal(Run(before, abi, nr), Run(after, abi, nr));
                Assert.Equal(Run(before, abi, nr, ulong.MaxValue), Run(after, abi, nr, ulong.MaxValue));
            }
        }
        // personality is allowed for some arguments only: left alone, and said.
        Assert.Contains(warnings, w => w.Contains("allows personality only for some arguments", StringComparison.Ordinal));
        var text = Encoding.UTF8.GetString(json);
        // The base's own comment is kept, and what was added follows it.
        Assert.Matches("^  \"comment\": \"[^\"]*moby[^\"]* Then: test \\(added to docker-default\\)\",$", text.Split('\n')[1]);
    }

    [Fact]
    public void I_can_allow_a_used_call_that_a_permissive_profile_denies_by_rule()
    {
        var json = """
            {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
              {"names": ["mount", "umount2"], "action": "SCMP_ACT_ERRNO"}]}
            """u8.ToArray();
        var baseProfile = ProfileReader.Read("permissive.json", json);
        var warnings = new List<string>();

        var merged = ProfileWriter.Merge(baseProfile, json, TargetArch.X86_64, Used((Arch.Arch.X86_64, ["mount"])), "test", Options, warnings);

        var program = Program(merged, TargetArch.X86_64);
        Assert.True(Allows(program, Arch.Arch.X86_64, 165)); // mount
        Assert.False(Allows(program, Arch.Arch.X86_64, 166)); // umount2 stays denied
        Assert.Contains(warnings, w => w.StartsWith("syscalls[0] (SCMP_ACT_ERRNO) no longer names mount", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_see_a_compat_abi_the_base_lacks_listed_in_the_copy()
    {
        var json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"names": ["execve", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}
            """u8.ToArray();
        var baseProfile = ProfileReader.Read("narrow.json", json);

        var merged = ProfileWriter.Merge(baseProfile, json, TargetArch.X86_64, Used((Arch.Arch.X86_64, ["execve"]), (Arch.Arch.X86, ["_llseek"])), "test", Options, []);

        var program = Program(merged, TargetArch.X86_64);
        Assert.True(Arch.Arch.X86.TryGetNumber("_llseek", out var llseek));
        Assert.True(Allows(program, Arch.Arch.X86, llseek));
        Assert.Contains("\"SCMP_ARCH_X86\"", Encoding.UTF8.GetString(merged), StringComparison.Ordinal);
    }

    [Fact]
    public void I_can_read_back_a_recorded_profile_with_the_names_sorted_and_default_eperm()
    {
        // Act
        var json = ProfileWriter.Minimal(TargetArch.X86_64, Used((Arch.Arch.X86_64, ["write", "read", "execve", "exit_group"])), "made by a test");

        // Assert
        var profile = ProfileReader.Read("written.json", json);
        Assert.Empty(profile.Warnings);
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86_64"], profile.Architectures);
        Assert.Equal(["execve", "exit_group", "read", "write"], profile.Syscalls.Single().Names);
        Assert.Equal(
            json,
            ProfileWriter.Minimal(TargetArch.X86_64, Used((Arch.Arch.X86_64, ["exit_group", "execve", "write", "read"])), "made by a test"));
    }

    [Fact]
    public void I_can_see_aarch64_and_x32_profiles_list_their_own_abis()
    {
        var arm = ProfileWriter.Minimal(TargetArch.Aarch64, Used((Arch.Arch.Aarch64, ["read"]), (Arch.Arch.Arm, ["read"])), "c");
        var x32 = ProfileWriter.Minimal(TargetArch.X86_64, Used((Arch.Arch.X86_64, ["read"]), (Arch.Arch.X32, ["write"])), "c");

        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], ProfileReader.Read("arm.json", arm).Architectures);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"], ProfileReader.Read("x32.json", x32).Architectures);
    }

    [Fact]
    public void I_can_add_names_a_recording_judged_denied_even_where_the_base_allows_other_arguments()
    {
        // record passes clone when the base denied the flags this run used: it must be added
        // although docker-default allows clone for other flags.
        var (profile, bytes) = ProfileSource.LoadWithJson("docker-default");

        var json = ProfileWriter.Merge(profile, bytes, TargetArch.X86_64, Used((Arch.Arch.X86_64, ["clone", "mount"])), "recorded", Options, [], judged: true);

        var merged = ProfileReader.Read("merged.json", json);
        Assert.Equal(profile.Syscalls.Count + 1, merged.Syscalls.Count);
        Assert.Equal(["clone", "mount"], merged.Syscalls[0].Names);
        Assert.Equal("recorded", merged.Syscalls[0].Comment);
        var program = Program(json, TargetArch.X86_64);
        Assert.True(Allows(program, Arch.Arch.X86_64, 56)); // clone, whatever the flags
        Assert.Equal(SeccompAction.SECCOMP_RET_ALLOW, Run(program, Arch.Arch.X86_64, 56, 0x10000000)); // CLONE_NEWUSER
    }
}
