using System.Text;
using SandboxRun.Arch;
using SandboxRun.Profiles;
using SandboxRun.Recording;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Recording;

/// <summary>
/// record's profiles read back as valid Docker profiles that allow exactly the recorded
/// names: the machine's main ABI plus the compat ABIs used, default EPERM; with a base, a
/// copy of the base with one more rule.
/// </summary>
public sealed class ProfileWriterSpecs
{
    private static Profile Read(string json) => ProfileReader.Read("written.json", Encoding.UTF8.GetBytes(json));

    [Fact]
    public void I_can_read_back_a_recorded_profile_that_allows_the_names_and_denies_the_rest()
    {
        // Act
        var json = ProfileWriter.Write(new Dictionary<string, IReadOnlyCollection<string>> { ["x86_64"] = ["write", "read", "execve", "exit_group"] }, "made by a test", null);

        // Assert
        var profile = Read(json);
        Assert.Empty(profile.Warnings);
        Assert.Equal(SeccompAction.Errno(1), profile.DefaultAction);
        Assert.Equal(["SCMP_ARCH_X86_64"], profile.Architectures);
        Assert.Equal(["execve", "exit_group", "read", "write"], profile.Syscalls.Single().Names);
        var policy = Compile.Policy(json);
        Assert.Equal(SeccompAction.Allow, Compile.Decide(policy, "read"));
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(policy, "mount"));
    }

    [Fact]
    public void I_can_see_a_compat_ABI_that_was_used_added_to_the_architectures()
    {
        var json = ProfileWriter.Write(
            new Dictionary<string, IReadOnlyCollection<string>> { ["x86_64"] = ["read"], ["x32"] = ["write"] },
            "made by a test",
            null);

        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"], Read(json).Architectures);
        Assert.Equal(["read", "write"], Read(json).Syscalls.Single().Names);
    }

    [Fact]
    public void I_can_merge_names_into_a_copy_of_a_base_profile()
    {
        // Arrange
        var baseJson = ProfileSource.BuiltInBytes("docker-default")!;
        var before = Compile.Policy(Encoding.UTF8.GetString(baseJson));

        // Act
        var json = ProfileWriter.Write(new Dictionary<string, IReadOnlyCollection<string>> { ["x86_64"] = ["mount"] }, "mount, recorded", baseJson);

        // Assert: the base's rules are all there, and mount is allowed by the one added last
        var merged = Read(json);
        Assert.Equal(Read(Encoding.UTF8.GetString(baseJson)).Syscalls.Count + 1, merged.Syscalls.Count);
        Assert.Equal(["mount"], merged.Syscalls[^1].Names);
        Assert.Equal("mount, recorded", merged.Syscalls[^1].Comment);
        Assert.Equal(SeccompAction.Errno(1), Compile.Decide(before, "mount"));
        Assert.Equal(SeccompAction.Allow, Compile.Decide(Compile.Policy(json), "mount"));
        Assert.Equal(Compile.Decide(before, "clone3"), Compile.Decide(Compile.Policy(json), "clone3"));
    }

    [Fact]
    public void I_can_see_the_same_names_give_the_same_bytes() =>
        Assert.Equal(
            ProfileWriter.Write(new Dictionary<string, IReadOnlyCollection<string>> { ["x86_64"] = ["b", "a"] }, "c", null),
            ProfileWriter.Write(new Dictionary<string, IReadOnlyCollection<string>> { ["x86_64"] = ["a", "b"] }, "c", null));

    [Fact]
    public void I_can_see_aarch64_names_give_an_aarch64_profile() =>
        Assert.Equal(
            ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
            Read(ProfileWriter.Write(new Dictionary<string, IReadOnlyCollection<string>> { ["aarch64"] = ["read"], ["arm"] = ["read"] }, "c", null)).Architectures);
}
