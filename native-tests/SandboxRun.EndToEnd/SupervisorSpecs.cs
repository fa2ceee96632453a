using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// The supervisor of <c>--report</c> and <c>--complain</c> (README, "Watching and learning"),
/// on the real kernel: it passes SIGINT, SIGTERM, SIGHUP and SIGQUIT on to the target, waits
/// for every task under the filter (orphans come to it, a child subreaper), says so when the
/// target dies of SIGSYS, and under <c>--complain</c> lets even KILL and TRAP calls run.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed partial class SupervisorSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("QUIT", 3)]
    [InlineData("TERM", 15)]
    [InlineData("INT", 2)]
    [InlineData("HUP", 1)]
    public async Task I_can_signal_the_supervisor_and_the_target_traps_the_signal(string name, int signal)
    {
        // Arrange: the shell traps the signal, says so and exits 40 + its number. It waits in
        // `wait`, which a trapped signal interrupts, and ends its sleep itself: an orphaned
        // sleep would keep the supervisor waiting (see the spec on orphans below).
        Sandboxrun.SkipIfMissing();
        var script = $"trap 'echo got {name}; kill $sleeper; exit {40 + signal}' {name}; sleep 60 & sleeper=$!; echo ready; wait $sleeper";
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var task = Cli.Wrap(Repo.Binary)
            .WithArguments(["--profile", "docker-default", "--report", "--", "sh", "-c", script])
            .WithWorkingDirectory(Repo.Root)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                lock (stdout)
                {
                    stdout.Append(line).Append('\n');
                }
                if (line == "ready")
                {
                    ready.TrySetResult();
                }
            }))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(cts.Token);
        await Task.WhenAny(ready.Task, task.Task);
        Assert.True(ready.Task.IsCompleted, $"the target ended before it was ready: stdout {stdout}, stderr {stderr}");

        // Act: the signal goes to the supervisor, not to the target. One that is not passed on
        // leaves the target waiting: it is killed (and the spec fails) some seconds later.
        Assert.Equal(0, Kill(task.ProcessId, signal));
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        CommandResult result;
        try
        {
            result = await task;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"still running 15 s after SIG{name}: not passed on?\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}");
            throw;
        }

        // Assert: the target's own handler ran, and its exit code came through
        Assert.True(
            result.ExitCode == 40 + signal,
            $"exit {result.ExitCode}, expected {40 + signal}\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}");
        Assert.Equal($"ready\ngot {name}\n", stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_the_supervisor_wait_for_an_orphan_of_the_target()
    {
        // Arrange: the target leaves a child behind and exits 3 at once. A second later the
        // orphan asks for its parent and writes the answer to a file, not to the pipes: the
        // supervisor's end, not the pipes' end, is what the spec waits for.
        Probe.SkipIfMissing();
        var late = _temp.File("late");
        var script = $"(sleep 1; exec {Probe.Path} call getppid > {late}) </dev/null >/dev/null 2>&1 & exit 3";

        // Act
        var (result, supervisor) = await RunWithPidAsync("--profile", "docker-default", "--report", "--", "sh", "-c", script);

        // Assert: the target's exit code, not the orphan's (0); the orphan had finished when
        // the supervisor ended; and its parent then was the supervisor, the subreaper.
        Launch.AssertExit(3, result);
        Assert.True(File.Exists(late), Launch.Describe("the supervisor ended before the orphan wrote its file", result));
        Assert.Equal($"getppid errno=0 ret={supervisor}\n", File.ReadAllText(late));
        Assert.Equal("", result.StandardError);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_the_supervisor_reap_an_orphan_that_ends_after_the_target()
    {
        // Arrange: the target exits at once, leaving two children: a short sleep, and a
        // watcher that waits (up to 10 s) for the sleep's /proc entry to go, which happens
        // only when its parent, the supervisor, reaps it. A zombie keeps the entry.
        Sandboxrun.SkipIfMissing();
        var state = _temp.File("state");
        var script = "sleep 0.2 & a=$!; ("
            + "for i in $(seq 100); do [ -e /proc/$a ] || break; sleep 0.1; done; "
            + $"if [ -e /proc/$a ]; then grep State /proc/$a/status; else echo reaped; fi > {state}"
            + ") </dev/null >/dev/null 2>&1 & exit 0";

        // Act
        var report = await Launch.ProcessAsync(Repo.Binary, ["--profile", "docker-default", "--report", "--", "sh", "-c", script]);

        // Assert
        Launch.AssertExit(0, report);
        Assert.Equal("reaped\n", File.ReadAllText(state));
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("SCMP_ACT_KILL_PROCESS")]
    [InlineData("SCMP_ACT_KILL")]
    [InlineData("SCMP_ACT_TRAP")]
    public async Task I_can_see_a_line_saying_the_target_was_killed_by_SIGSYS(string action)
    {
        // Arrange
        Probe.SkipIfMissing();
        var profile = GetppidProfile(action);

        // Act
        var report = await Probe.UnderAsync(["--profile", profile, "--report"], "call", "getppid");

        // Assert: the call never returns, so the probe prints nothing; the supervisor ends
        // as the target did (SIGSYS raised again) and says why on the way.
        Launch.AssertExit(Probe.KilledBySigsys, report);
        Assert.Equal("", report.StandardOutput);
        var line = Assert.Single(Sandboxrun.Lines(report.StandardError));
        Assert.Matches(KilledLine(), line);
    }

    [GeneratedRegex(@"^sandboxrun: pid \d+ was killed by SIGSYS: a KILL or TRAP action of the profile \(--complain names the call\)$")]
    private static partial Regex KilledLine();

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("SCMP_ACT_KILL_PROCESS", "killed (SCMP_ACT_KILL_PROCESS)", "SCMP_ACT_KILL_PROCESS")]
    [InlineData("SCMP_ACT_KILL", "killed (SCMP_ACT_KILL_THREAD)", "SCMP_ACT_KILL_THREAD")]
    [InlineData("SCMP_ACT_TRAP", "SIGSYS (SCMP_ACT_TRAP)", "SCMP_ACT_TRAP")]
    public async Task I_can_complain_and_a_KILL_or_TRAP_call_runs(string action, string outcome, string rule)
    {
        // Arrange (SCMP_ACT_KILL is the old name of SCMP_ACT_KILL_THREAD, and shown as such)
        Probe.SkipIfMissing();
        var profile = GetppidProfile(action);

        // Act
        var (complain, supervisor) = await RunWithPidAsync("--profile", profile, "--complain", "--", Probe.Path, "call", "getppid");

        // Assert: the target lived, its getppid answered the supervisor's pid, and the
        // supervisor named the call and what the profile would have done
        Launch.AssertExit(0, complain);
        Assert.Equal($"getppid errno=0 ret={supervisor}\n", complain.StandardOutput);
        var lines = Sandboxrun.Lines(complain.StandardError);
        Assert.Equal(2, lines.Length);
        Assert.Equal("sandboxrun: --complain: denied calls are allowed and reported; this is not a security boundary", lines[0]);
        Assert.Matches(
            $@"^sandboxrun: would deny getppid\([^)]*\) = {Regex.Escape(outcome)}  \[pid \d+ probe\] \(syscalls\[0\]: {rule}\)$",
            lines[1]);
    }

    /// <summary>
    /// Runs <c>out/sandboxrun ARGS</c> to its end, like <see cref="Sandboxrun.RunAsync"/>, and
    /// returns its pid too: the supervisor's, the parent the target's getppid answers.
    /// </summary>
    private static async Task<(BufferedCommandResult Result, int Pid)> RunWithPidAsync(params string[] args)
    {
        Sandboxrun.SkipIfMissing();
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var task = Cli.Wrap(Repo.Binary)
            .WithArguments(args)
            .WithWorkingDirectory(Repo.Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cts.Token);
        return (await task, task.ProcessId);
    }

    /// <summary>A profile that lets everything run but getppid, which gets <paramref name="action"/>.</summary>
    private string GetppidProfile(string action) =>
        _temp.Write("getppid.json", $$"""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getppid"], "action": "{{action}}" } ] }
            """);

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
