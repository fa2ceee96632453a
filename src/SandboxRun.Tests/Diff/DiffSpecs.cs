using SandboxRun.Arch;
using SandboxRun.Diff;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Diff;

/// <summary>
/// <c>diff</c> works on compiled programs: a profile against itself is empty on both
/// machines, Docker's 2016 profile against today's shows the real changes, and a change of
/// capability set alone shows as the rules it switches on.
/// </summary>
public sealed class DiffSpecs
{
    private static readonly ResolveOptions Docker = new(Capabilities.Docker, new KernelVersion(6, 18));

    private static FilterPolicy Resolve(string file, TargetArch target, ResolveOptions? options = null) =>
        PolicyResolver.Resolve(ProfileReader.ReadFile(file), target, options ?? Docker);

    [SkippableFact]
    public void I_can_diff_every_real_profile_with_itself_and_see_nothing()
    {
        var files = Paths.RealProfiles().ToList();
        Skip.If(files.Count == 0, "no profiles");
        foreach (var file in files)
        {
            foreach (var target in TargetArch.All)
            {
                Assert.Empty(ProgramDiff.Compare(Resolve(file, target), Resolve(file, target)));
            }
        }
    }

    [SkippableFact]
    public void I_can_see_what_changed_in_Dockers_default_since_2016()
    {
        var old = Path.Combine(Paths.Corpus, "moby-default-2016-07.json");
        var current = Path.Combine(Paths.Corpus, "moby-default-current.json");
        Skip.IfNot(File.Exists(old) && File.Exists(current), "../shared/corpus is absent");

        var diff = ProgramDiff.Compare(Resolve(old, TargetArch.X86_64), Resolve(current, TargetArch.X86_64));
        var x86_64 = diff.Where(d => d.Abi == Arch.Arch.X86_64).ToDictionary(d => d.What);

        // socket: 2016 allowed every family; today AF_ALG (38) and AF_VSOCK (40) are denied.
        Assert.Equal((SeccompAction.Allow, SeccompAction.Errno(1)), (x86_64["socket"].A, x86_64["socket"].B));
        Assert.Equal([38UL, 0, 0, 0, 0, 0], x86_64["socket"].Args);
        // ptrace is allowed since kernel 4.8 made it safe; syslog went.
        Assert.Equal(SeccompAction.Allow, x86_64["ptrace"].B);
        Assert.Equal((SeccompAction.Allow, SeccompAction.Errno(1)), (x86_64["syslog"].A, x86_64["syslog"].B));
        // personality: the two READ_IMPLIES_EXEC values are new.
        Assert.Contains("a0 == 0x20000", x86_64["personality"].BDescription, StringComparison.Ordinal);
        Assert.DoesNotContain("a0 == 0x20000", x86_64["personality"].ADescription, StringComparison.Ordinal);
        // clone: CLONE_NEWCGROUP (0x02000000) joined the mask.
        Assert.Equal("SCMP_ACT_ALLOW if (a0 & 0x7e020000) == 0; otherwise SCMP_ACT_ERRNO(EPERM) (default)", x86_64["clone"].BDescription);
        // The 2016 profile's runc stub gives ENOSYS above its highest name (pkey_* did not exist).
        Assert.Equal((SeccompAction.Enosys, SeccompAction.Allow), (x86_64["statx"].A, x86_64["statx"].B));
    }

    [Fact]
    public void I_can_see_the_effect_of_capabilities_alone()
    {
        var profile = ProfileSource.Load("docker-default");
        var plain = PolicyResolver.Resolve(profile, TargetArch.Aarch64, Docker);
        var admin = PolicyResolver.Resolve(profile, TargetArch.Aarch64, Docker with { Caps = Capabilities.Docker.Add("CAP_SYS_ADMIN") });

        var diff = ProgramDiff.Compare(plain, admin).Where(d => d.Abi == Arch.Arch.Aarch64).ToDictionary(d => d.What);

        Assert.Equal((SeccompAction.Errno(1), SeccompAction.Allow), (diff["mount"].A, diff["mount"].B));
        Assert.Equal((SeccompAction.Enosys, SeccompAction.Allow), (diff["clone3"].A, diff["clone3"].B));
        Assert.NotNull(diff["clone"].Args); // namespace flags: allowed only with CAP_SYS_ADMIN
        Assert.DoesNotContain("read", diff.Keys);
    }

    [Fact]
    public void I_can_see_a_difference_only_the_high_half_of_an_argument_shows()
    {
        // EQ 41 and (a0 & 0xffffffff) == 41 agree on every value below 2^32.
        const string Gt = """{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 41, "op": "SCMP_CMP_EQ" } ] } ] }""";
        const string Masked = """{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 4294967295, "valueTwo": 41, "op": "SCMP_CMP_MASKED_EQ" } ] } ] }""";

        var diff = ProgramDiff.Compare(Compile.Policy(Gt), Compile.Policy(Masked)).Where(d => d.Abi == Arch.Arch.X86_64).ToList();

        var socket = Assert.Single(diff);
        Assert.Equal("socket", socket.What);
        Assert.True(socket.Args![0] > uint.MaxValue || socket.Args[0] > 41, $"first differing a0 = 0x{socket.Args[0]:x}");
        Assert.Equal(41UL, socket.Args[0] & uint.MaxValue); // the low half is 41: only the high half differs
    }
}
