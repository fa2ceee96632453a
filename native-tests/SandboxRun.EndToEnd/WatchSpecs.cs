using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>--report</c> and <c>--complain</c> (SPEC.md §6): each denial printed as it happens in
/// strace's form with the rule that decided, the program seeing exactly what it sees
/// without them (same errno, same exit status), and the supervisor ending as the target did.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed partial class WatchSpecs
{
    private const string NoSuchDir = "/nonexistent/sandboxrun-e2e";

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_a_denied_mount_reported_in_strace_form_with_the_default_action()
    {
        // Arrange: a real mount(2) call from python's ctypes, onto a directory that does not
        // exist (harmless even if it were allowed)
        var python = await RealPrograms.Python3Async();
        string[] command = [python, "-c", $"import ctypes,os,sys; libc=ctypes.CDLL(None, use_errno=True); r=libc.mount(b'tmpfs', b'{NoSuchDir}', b'tmpfs', 0, None); e=ctypes.get_errno(); print(r, os.strerror(e)); sys.exit(e)"];

        // Act
        var plain = await Launch.RunAsync(Launch.DockerDefault(), command);
        var report = await Launch.RunAsync([.. Launch.DockerDefault(), "--report"], command);

        // Assert: EPERM both ways, and one line that says so
        Launch.AssertExit(1, plain);
        Assert.Equal(plain.ExitCode, report.ExitCode);
        Assert.Equal(plain.StandardOutput, report.StandardOutput);
        var line = Assert.Single(Sandboxrun.Lines(report.StandardError));
        Assert.Matches(MountLine(), line);
    }

    [GeneratedRegex("""^sandboxrun: denied mount\("tmpfs", "/nonexistent/sandboxrun-e2e", "tmpfs", 0, NULL\) = -EPERM  \[pid \d+ python3[.0-9]*\] \(syscalls: default action\)$""")]
    private static partial Regex MountLine();

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_a_denied_unshare_reported_with_its_flags_named()
    {
        // Arrange
        var unshare = Launch.Require("unshare");
        string[] command = [unshare, "--mount", "--uts", "true"];

        // Act
        var plain = await Launch.RunAsync(Launch.DockerDefault(), command);
        var report = await Launch.RunAsync([.. Launch.DockerDefault(), "--report"], command);

        // Assert
        Assert.NotEqual(0, plain.ExitCode);
        Assert.Equal(plain.ExitCode, report.ExitCode);
        var lines = Sandboxrun.Lines(report.StandardError);
        Assert.Matches(UnshareLine(), lines[0]);
        Assert.Equal(Sandboxrun.Lines(plain.StandardError), lines[1..]);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task I_can_see_why_a_watched_command_could_not_start()
    {
        // Arrange: executable, but no program (no ELF header, no #!): execve says ENOEXEC,
        // and it says so after the supervisor took the listener, in the watched child.
        using var temp = new TempDir();
        var junk = temp.Write("not-a-program", "this is not a program\n");
        File.SetUnixFileMode(junk, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // Act
        var plain = await Launch.RunAsync(Launch.DockerDefault(), [junk]);
        var report = await Launch.RunAsync([.. Launch.DockerDefault(), "--report"], [junk]);

        // Assert: 126 both ways, each with a line that says execve failed and why
        Launch.AssertExit(126, plain);
        Assert.Contains("execve failed", plain.StandardError);
        Launch.AssertExit(126, report);
        Assert.Equal($"sandboxrun: {junk}: execve failed: ENOEXEC (Exec format error)", Assert.Single(Sandboxrun.Lines(report.StandardError)));
    }

    [GeneratedRegex(@"^sandboxrun: denied unshare\(CLONE_NEWNS\|CLONE_NEWUTS\) = -EPERM  \[pid \d+ unshare\] \(syscalls: default action\)$")]
    private static partial Regex UnshareLine();

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_which_rule_denied_a_call_and_get_its_own_errno()
    {
        // Arrange: Docker's profile answers clone3 with ENOSYS by a rule of its own
        Probe.SkipIfMissing();

        // Act
        var plain = await Probe.UnderAsync(Launch.DockerDefault(), "call", "clone3");
        var report = await Probe.UnderAsync([.. Launch.DockerDefault(), "--report"], "call", "clone3");

        // Assert
        Assert.Equal(Probe.Failed("clone3", "ENOSYS"), plain.StandardOutput);
        Assert.Equal(plain.StandardOutput, report.StandardOutput);
        Assert.Equal(plain.ExitCode, report.ExitCode);
        Assert.Matches(@"^sandboxrun: denied clone3\(NULL, 0\) = -ENOSYS  \[pid \d+ probe\] \(syscalls\[\d+\]: SCMP_ACT_ERRNO\(ENOSYS\)\)\n$", report.StandardError);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_get_a_summary_of_the_denials_at_the_end()
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act: four threads each make a denied call (and glibc's clone3 for each thread is
        // answered ENOSYS by a rule of Docker's profile)
        var report = await Probe.UnderAsync([.. Launch.DockerDefault(), "--report=summary"], "threads", "4", "acct");

        // Assert
        Launch.AssertExit(0, report);
        var lines = Sandboxrun.Lines(report.StandardError);
        Assert.Equal(4, lines.Length);
        Assert.Equal("sandboxrun: denied: 8 calls", lines[0]);
        Assert.Equal("   calls  syscall              result                   decided by", lines[1]);
        Assert.Equal("       4  acct                 -EPERM                   (syscalls: default action)", lines[2]);
        Assert.Matches(@"^       4  clone3               -ENOSYS                  \(syscalls\[\d+\]: SCMP_ACT_ERRNO\(ENOSYS\)\)$", lines[3]);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_complain_and_the_denied_call_runs()
    {
        // Arrange: acct(1) with a bad pointer: EFAULT when it runs, EPERM when denied
        Probe.SkipIfMissing();
        Probe.SkipUnlessRoot();

        // Act
        var complain = await Probe.UnderAsync([.. Launch.DockerDefault(), "--complain"], "call", "acct");

        // Assert
        Assert.Equal(Probe.Failed("acct", "EFAULT"), complain.StandardOutput);
        var lines = Sandboxrun.Lines(complain.StandardError);
        Assert.Contains("not a security boundary", lines[0]);
        Assert.Matches(@"^sandboxrun: would deny acct\(0x1\) = -EPERM  \[pid \d+ probe\] \(syscalls: default action\)$", lines[1]);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("exit 7", 7)]
    [InlineData("kill -SEGV $$", 128 + 11)]
    [InlineData("kill -TERM $$", 128 + 15)]
    public async Task I_can_see_the_supervisor_end_as_the_target_ended(string script, int status)
    {
        // Act
        var report = await Launch.RunAsync([.. Launch.DockerDefault(), "--report"], ["sh", "-c", script]);
        var record = await Sandboxrun.RunAsync("record", "-q", "-o", "/dev/null", "--", "sh", "-c", script);

        // Assert
        Launch.AssertExit(status, report);
        Launch.AssertExit(status, record);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_leave_the_target_behind_by_killing_the_supervisor()
    {
        // Arrange: the target writes its pid, then sleeps
        Sandboxrun.SkipIfMissing();
        using var temp = new TempDir();
        var pidFile = temp.File("pid");
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var task = Cli.Wrap(Repo.Binary)
            .WithArguments(["--report", "--", "sh", "-c", $"echo $$ > {pidFile}; exec sleep 30"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the target never started");
            await Task.Delay(50);
        }
        var target = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);

        // Act
        _ = Kill(task.ProcessId, 9);
        await task;
        await Task.Delay(500);

        // Assert: gone, or a zombie waiting for init (PR_SET_PDEATHSIG killed it)
        var status = $"/proc/{target}/status";
        var state = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal)) : null;
        Assert.True(state is null || state.Contains("zombie", StringComparison.Ordinal), $"the target {target} still runs: {state}");
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
