using System.Diagnostics;

namespace SandboxRun.EndToEnd;

/// <summary>
/// The launch window under garbage-collection pressure: sandboxrun's test hook
/// SANDBOXRUN_TEST_ALLOCATORS starts threads that allocate without pause while it installs
/// the filter and execs. A collection that signalled the launching thread during execve
/// would leave a real-time signal pending and kill /bin/true ("Real-time signal 0"); a
/// collection between seccomp and execve would block it on a futex under the filter. Every
/// one of the launches must end with /bin/true's status 0.
/// </summary>
public sealed class LaunchStressSpecs
{
    private const int Launches = 2000;

    [SkippableFact(Timeout = 600_000)]
    public async Task I_can_launch_thousands_of_times_under_allocation_pressure_without_a_failure()
    {
        Sandboxrun.SkipIfMissing();
        // Arrange: a strict profile too, so that a stray futex or rt_sigreturn would fail loudly.
        var strict = Path.Combine(Path.GetTempPath(), $"strict-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(strict, """
            {"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["execve","brk","arch_prctl","mmap","munmap","mprotect","openat","close","read","fstat","newfstatat","pread64","access","exit_group","set_tid_address","set_robust_list","rseq","prlimit64","getrandom"],"action":"SCMP_ACT_ALLOW"}]}
            """);
        var failures = new List<string>();

        // Act
        for (var i = 0; i < Launches; i++)
        {
            var profile = i % 2 == 0 ? "docker-default" : strict;
            var start = new ProcessStartInfo(Repo.Binary) { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("--profile");
            start.ArgumentList.Add(profile);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add("/bin/true");
            start.Environment["SANDBOXRUN_TEST_ALLOCATORS"] = "3";
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 && failures.Count < 10)
            {
                failures.Add($"launch {i} ({profile}): exit {process.ExitCode} {stderr.Trim()}");
            }
        }
        File.Delete(strict);

        // Assert
        Assert.True(failures.Count == 0, $"{failures.Count} of {Launches} launches failed:\n{string.Join("\n", failures)}");
    }
}
