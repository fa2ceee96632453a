using SandboxRun.Arch;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;
using static SandboxRun.Arch.Arch;

namespace SandboxRun.Tests.Policy;

/// <summary>
/// runc's ENOSYS stub (libcontainer/seccomp/patchbpf): numbers above the highest syscall the
/// profile names get ENOSYS per arch, so that libc falls back from clone3 or faccessat2; the
/// x86_64 and x32 halves of AUDIT_ARCH_X86_64 are told apart by bit 30 alone; no stub for a
/// permissive default or an arch the profile does not list.
/// </summary>
public sealed class EnosysSpecs
{
    private const string Profile = """
        { "defaultAction": "SCMP_ACT_ERRNO",
          "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
          "syscalls": [ { "names": ["read", "write", "openat"], "action": "SCMP_ACT_ALLOW" } ] }
        """;

    [Fact]
    public void I_can_see_numbers_above_the_highest_named_syscall_get_ENOSYS()
    {
        var policy = Compile.Policy(Profile);
        // openat (257) is the highest x86_64 name: 258 and up are ENOSYS, 257 and below the default.
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_X86_64, 258));
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_X86_64, 435)); // clone3
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_X86_64, 200));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, AUDIT_ARCH_X86_64, 257));
        // i386: openat is 295.
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_I386, 296));
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_I386, 294));
    }

    [Fact]
    public void I_can_see_the_x32_half_judged_by_its_own_boundary()
    {
        var policy = Compile.Policy(Profile);
        // x32 openat is 257 | bit 30.
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT + 258));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT + 257));
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT + 200));
        // Bit 30 clear and above 0x80000000: the x86_64 stub section (jset) answers ENOSYS.
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_X86_64, 0x80000001));
    }

    [Fact]
    public void I_cannot_get_the_stub_with_a_permissive_default()
    {
        foreach (var action in new[] { "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE" })
        {
            var policy = Compile.Policy(Profile.Replace("SCMP_ACT_ERRNO", action).Replace("\"SCMP_ACT_ALLOW\" }", "\"SCMP_ACT_KILL\" }"));
            Assert.Equal(policy.DefaultAction, Compile.Decide(policy, AUDIT_ARCH_X86_64, 435));
            Assert.All(policy.Arches, a => Assert.Null(a.EnosysAbove));
        }
    }

    [Fact]
    public void I_cannot_get_the_stub_for_an_arch_the_profile_does_not_list()
    {
        // No architectures at all: runc's findLastSyscalls loops over none.
        var policy = Compile.Policy("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW" } ] }""");
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, AUDIT_ARCH_X86_64, 435));
        Assert.Null(policy.For(X86_64)!.EnosysAbove);
    }

    [Fact]
    public void I_can_turn_the_stub_off_or_answer_ENOSYS_for_every_unknown_number()
    {
        var off = Compile.Policy(Profile, enosys: EnosysMode.Off);
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(off, AUDIT_ARCH_X86_64, 435));

        var known = Compile.Policy(Profile, enosys: EnosysMode.Known);
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(known, AUDIT_ARCH_X86_64, 435)); // clone3 exists
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(known, AUDIT_ARCH_X86_64, 600));  // no syscall 600
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(known, AUDIT_ARCH_X86_64, 387));  // a hole of the table
    }

    [SkippableFact]
    public void I_can_see_the_current_docker_profile_make_clone3_fall_back()
    {
        var file = Path.Combine(Paths.Corpus, "moby-default-current.json");
        Skip.IfNot(File.Exists(file), "../shared/corpus is absent");
        var policy = PolicyResolver.Resolve(ProfileReader.ReadFile(file), TargetArch.X86_64, new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18)));
        // clone3 has its own ERRNO(ENOSYS) rule unless CAP_SYS_ADMIN; above the highest name, the stub.
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, "clone3"));
        Assert.Equal(SeccompAction.Enosys, Compile.Decide(policy, AUDIT_ARCH_X86_64, policy.For(X86_64)!.EnosysAbove!.Value + 1));
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, "reboot"));
    }
}
