using SandboxRun.Profiles;

namespace SandboxRun.Tests.Policy;

/// <summary>
/// The running kernel's version as moby's minKernel check takes it from uname's release:
/// the leading major.minor, whatever follows.
/// </summary>
public sealed class KernelVersionSpecs
{
    [Theory]
    [InlineData("6.18.0-1-amd64", 6, 18)]
    [InlineData("6.18", 6, 18)]
    [InlineData("6.1.192-2", 6, 1)]
    [InlineData("6.19-rc1", 6, 19)]
    [InlineData("4.8.0+", 4, 8)]
    [InlineData("2147483647.0", int.MaxValue, 0)]
    public void I_can_see_the_release_read_as_major_and_minor(string release, int major, int minor)
    {
        Assert.True(KernelVersion.TryParseRelease(release, out var version));
        Assert.Equal(new KernelVersion(major, minor), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("6")]
    [InlineData("6.")]
    [InlineData("x.18")]
    [InlineData("6.x")]
    [InlineData("+6.18")]
    [InlineData(" 6.18")]
    [InlineData("2147483648.0")]
    [InlineData("6.99999999999")]
    public void I_can_see_a_release_without_major_dot_minor_refused(string release) =>
        Assert.False(KernelVersion.TryParseRelease(release, out _));
}
