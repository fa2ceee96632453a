using System.Diagnostics;

namespace SandboxRun.EndToEnd;

/// <summary>
/// The hand-off of the listener under load. The watched child installs a filter with a
/// listener, which is close-on-exec: if it exec'd before the supervisor held the fd, every
/// notified call would fail with ENOSYS; if it waited for the supervisor with a notified
/// call, it would wait forever. Three hundred watched launches, two at a time, with the
/// supervisor's threads allocating (SANDBOXRUN_TEST_ALLOCATORS) and a strict profile
/// (every stray call kills): each must end with /bin/true's status, in time.
/// </summary>
public sealed class WatchStressSpecs
{
    private const int Launches = 300;

    [SkippableFact(Timeout = 600_000)]
    public async Task I_can_watch_hundreds_of_launches_under_load_without_a_failure()
    {
        Sandboxrun.SkipIfMissing();
        // Arrange
        var strict = Path.Combine(Path.GetTempPath(), $"strict-watch-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(strict, """
            {"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["execve","brk","arch_prctl","mmap","munmap","mprotect","openat","close","read","fstat","newfstatat","pread64","exit_group","set_tid_address","set_robust_list","rseq","prlimit64","getrandom","futex"],"action":"SCMP_ACT_ALLOW"},{"names":["access"],"action":"SCMP_ACT_ERRNO"}]}
            """);
        string[][] modes =
        [
            ["--report", "--profile", strict, "--", "/bin/true"],
            ["record", "-q", "-o", "/dev/null", "--", "/bin/true"],
        ];
        var failures = new List<string>();

        // Act
        await Parallel.ForAsync(0, Launches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, token) =>
        {
            var start = new ProcessStartInfo(Repo.Binary) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in modes[i % 2])
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["SANDBOXRUN_TEST_ALLOCATORS"] = "2";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(token);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(token);
            }
            var text = (await stderr).Trim();
            // --report prints the denied access(2) of the dynamic loader, if it makes one.
            var unexpected = Sandboxrun.Lines(text).Where(l => !l.StartsWith("sandboxrun: denied access(", StringComparison.Ordinal)).ToList();
            if (process.ExitCode != 0 || unexpected.Count > 0)
            {
                lock (failures)
                {
                    failures.Add($"launch {i} ({modes[i % 2][0]}): exit {process.ExitCode} {text}");
                }
            }
        });
        File.Delete(strict);

        // Assert
        Assert.True(failures.Count == 0, $"{failures.Count} of {Launches} launches failed:\n{string.Join("\n", failures.Take(10))}");
    }
}
