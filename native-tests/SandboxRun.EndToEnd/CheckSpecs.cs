namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun check</c> against the current Docker profile: exit 0 when every syscall is
/// allowed, 1 when one is not, and the rule that decided, in words.
/// </summary>
public sealed class CheckSpecs
{
    private static string DockerProfile()
    {
        var profile = Repo.Corpus("moby-default-current.json");
        Skip.IfNot(File.Exists(profile), $"{profile} is missing (the shared corpus sits beside the repository)");
        return profile;
    }

    [SkippableFact]
    public async Task I_can_see_that_socket_AF_VSOCK_falls_to_the_default_action()
    {
        // Act
        var result = await Sandboxrun.RunAsync("check", "--profile", DockerProfile(), "--arch", "x86_64", "socket(40,1,0)");

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StandardError);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal("socket(40, 1, 0): SCMP_ACT_ERRNO(EPERM) (not allowed)  [x86_64 nr 41]", lines[0]);
        Assert.Equal("  no rule matched: the default action SCMP_ACT_ERRNO(EPERM)", lines[1]);
        // The AF_VSOCK (40) hole of Docker's profile: a0 < 40, a0 == 39 and a0 > 40 all miss.
        Assert.Contains(lines, l => l.Contains("a0 > 0x28 is false (a0 = 40)", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task I_can_see_that_clone3_gets_ENOSYS_without_CAP_SYS_ADMIN()
    {
        // Act
        var result = await Sandboxrun.RunAsync("check", "--profile", DockerProfile(), "--arch", "x86_64", "clone3");

        // Assert
        Assert.Equal(1, result.ExitCode);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal("clone3(): SCMP_ACT_ERRNO(ENOSYS) (not allowed)  [x86_64 nr 435]", lines[0]);
        Assert.Contains(lines, l => l.EndsWith("(clone3): SCMP_ACT_ERRNO(ENOSYS) unconditionally", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("includes.caps: the capability set lacks CAP_SYS_ADMIN", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task I_can_see_that_personality_8_is_allowed_by_its_argument_rule()
    {
        // Act
        var result = await Sandboxrun.RunAsync("check", "--profile", DockerProfile(), "--arch", "x86_64", "personality(8)");

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal("personality(8): SCMP_ACT_ALLOW (allowed)  [x86_64 nr 135]", lines[0]);
        Assert.EndsWith("(personality): SCMP_ACT_ALLOW because a0 == 8 (a0 = 8)", lines[1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task I_can_check_several_syscalls_and_get_1_when_any_is_denied()
    {
        // Act
        var mixed = await Sandboxrun.RunAsync("check", "--profile", DockerProfile(), "--arch", "x86_64", "socket(40,1,0)", "clone3", "personality(8)");
        var allowed = await Sandboxrun.RunAsync("check", "--profile", DockerProfile(), "--arch", "x86_64", "personality(8)", "read", "nr:0");

        // Assert
        Assert.Equal(1, mixed.ExitCode);
        Assert.Equal(3, Sandboxrun.Lines(mixed.StandardOutput).Count(l => !l.StartsWith(' ')));
        Assert.Equal(0, allowed.ExitCode);
    }
}
