namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun compile --format raw</c>, loaded by the kernel through bwrap: what the
/// profile denies fails with its errno, what it allows works. Each denial has a control run
/// without the filter, so a failure that bwrap or the shell would cause anyway is not taken
/// for the filter's.
/// </summary>
public sealed class CompileUnderBubblewrapSpecs : IDisposable
{
    private const string DenyMkdir = """
        {
          "defaultAction": "SCMP_ACT_ALLOW",
          "syscalls": [
            { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 }
          ]
        }
        """;

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> CompileRawAsync(string profile)
    {
        var raw = _temp.File(Path.GetFileNameWithoutExtension(profile) + ".bpf");
        var result = await Sandboxrun.RunAsync("compile", "--profile", profile, "--format", "raw", "-o", raw);
        Assert.True(result.ExitCode == 0, $"compile exited {result.ExitCode}: {result.StandardError}");
        var length = new FileInfo(raw).Length;
        Assert.True(length > 0 && length % 8 == 0, $"{raw}: {length} bytes is not a whole struct sock_filter[]");
        Assert.True(length / 8 <= 4096, $"{raw}: {length / 8} instructions, over the kernel's BPF_MAXINSNS");
        return raw;
    }

    [SkippableFact]
    public async Task I_can_deny_mkdir_with_EPERM_and_still_run_programs()
    {
        // Arrange
        Sandboxrun.SkipIfMissing();
        await Bubblewrap.SkipIfUnusableAsync();
        var raw = await CompileRawAsync(_temp.Write("deny-mkdir.json", DenyMkdir));
        var made = _temp.File("made");
        var script = $"mkdir {made}; echo \"mkdir=$?\"";
        var control = await Bubblewrap.RunAsync(filter: null, script);
        Assert.Contains("mkdir=0", control.StandardOutput, StringComparison.Ordinal);
        Directory.Delete(made);

        // Act
        var denied = await Bubblewrap.RunAsync(raw, script);
        var allowed = await Bubblewrap.RunAsync(raw, "/bin/true && echo allowed");

        // Assert
        Assert.Contains("mkdir=1", denied.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", denied.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(made));
        Assert.Equal(0, allowed.ExitCode);
        Assert.Equal("allowed\n", allowed.StandardOutput);
        Assert.Equal("", allowed.StandardError);
    }

    [SkippableFact]
    public async Task I_can_run_a_shell_under_the_current_Docker_profile_and_be_denied_unshare()
    {
        // Arrange
        var profile = Repo.Corpus("moby-default-current.json");
        Skip.IfNot(File.Exists(profile), $"{profile} is missing (the shared corpus sits beside the repository)");
        Sandboxrun.SkipIfMissing();
        await Bubblewrap.SkipIfUnusableAsync();
        var raw = await CompileRawAsync(profile);
        // unshare(2) needs CAP_SYS_ADMIN in Docker's profile, which Docker's default set lacks.
        var unshare = "unshare --user /bin/true; echo \"unshare=$?\"";
        var control = await Bubblewrap.RunAsync(filter: null, unshare);
        Assert.Contains("unshare=0", control.StandardOutput, StringComparison.Ordinal);

        // Act
        var denied = await Bubblewrap.RunAsync(raw, unshare);
        // A shell that forks (clone3 gets ENOSYS from the profile, and glibc falls back to
        // clone), execs, writes a file and makes a directory.
        var made = _temp.File("made");
        var allowed = await Bubblewrap.RunAsync(raw, $"/bin/true && echo allowed > {made}.txt && mkdir {made} && cat {made}.txt");

        // Assert
        Assert.Contains("unshare=1", denied.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", denied.StandardError, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, $"exit {allowed.ExitCode}: {allowed.StandardError}");
        Assert.Equal("allowed\n", allowed.StandardOutput);
        Assert.True(Directory.Exists(made));
    }
}
