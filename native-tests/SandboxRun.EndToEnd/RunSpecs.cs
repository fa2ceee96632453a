using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun run</c>'s contract (SPEC.md §2, §5): the target replaces sandboxrun and
/// keeps its PID, gets the caller's environment, working directory, fds 0–2, default
/// SIGPIPE and an empty signal mask; its exit status comes through unchanged; 125, 126 and
/// 127 are sandboxrun's own, as env(1) and <c>docker run</c> have them. Several profiles
/// stack, KILL actions kill, and <c>--enosys</c> decides what a profile's unknown syscalls get.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class RunSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    // ---- exit statuses -------------------------------------------------------------

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("exit 0", 0)]
    [InlineData("exit 1", 1)]
    [InlineData("exit 3", 3)]
    [InlineData("exit 125", 125)] // the target's own 125 is not sandboxrun's
    [InlineData("exit 255", 255)]
    public async Task I_can_get_the_exit_status_of_the_target_unchanged(string script, int status)
    {
        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), ["/bin/sh", "-c", script]);

        // Assert
        Launch.AssertExit(status, result);
        Assert.Equal("", result.StandardError);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_true_and_false_through_PATH()
    {
        // Act
        var yes = await Launch.RunAsync(Launch.DockerDefault(), ["true"]);
        var no = await Launch.RunAsync(Launch.DockerDefault(), ["false"]);

        // Assert
        Launch.AssertExit(0, yes);
        Launch.AssertExit(1, no);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_a_target_killed_by_a_signal_as_128_plus_the_signal()
    {
        // Act: the shell sends SIGTERM to itself; sandboxrun is gone (execve), so the
        // caller sees the target's death directly, which .NET reports as 128 + 15.
        var result = await Launch.RunAsync(Launch.DockerDefault(), ["/bin/sh", "-c", "kill -TERM $$"]);

        // Assert
        Launch.AssertExit(128 + 15, result);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_run_a_command_that_does_not_exist_and_get_127()
    {
        // Arrange
        const string Name = "sandboxrun-e2e-no-such-command";
        var absolute = _temp.File("absent");

        // Act
        var byName = await Launch.RunAsync(Launch.DockerDefault(), [Name, "arg"]);
        var byPath = await Launch.RunAsync(Launch.DockerDefault(), [absolute]);

        // Assert
        Launch.AssertExit(127, byName);
        Assert.Contains($"sandboxrun: '{Name}': No such file or directory", Sandboxrun.Lines(byName.StandardError));
        Assert.Equal("", byName.StandardOutput);
        Launch.AssertExit(127, byPath);
        Assert.Contains($"sandboxrun: '{absolute}': No such file or directory", Sandboxrun.Lines(byPath.StandardError));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    [SupportedOSPlatform("linux")]
    public async Task I_cannot_run_a_file_that_is_not_executable_and_get_126()
    {
        // Arrange: a script that would print, without the x bit.
        var script = _temp.Write("not-executable", "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), [script]);

        // Assert: root may read anything, but execve still wants an x bit.
        Launch.AssertExit(126, result);
        Assert.Contains($"sandboxrun: '{script}': Permission denied", Sandboxrun.Lines(result.StandardError));
        Assert.Equal("", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_run_under_a_bad_profile_and_get_125_before_the_target_starts()
    {
        // Arrange
        var marker = _temp.File("ran");
        string[] target = ["/bin/sh", "-c", $"echo ran > {marker}"];
        var malformed = _temp.Write("malformed.json", "{\"defaultAction\": \n");
        var unknownAction = _temp.Write("action.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOPE" } ] }
            """);

        // Act
        var missing = await Launch.RunAsync(["--profile", _temp.File("absent.json")], target);
        var badJson = await Launch.RunAsync(["--profile", malformed], target);
        var badAction = await Launch.RunAsync(["--profile", unknownAction], target);

        // Assert
        foreach (var result in new[] { missing, badJson, badAction })
        {
            Launch.AssertExit(125, result);
            Assert.StartsWith("sandboxrun: ", result.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        }
        Assert.Contains("SCMP_ACT_NOPE", badAction.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the target ran");
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_run_under_a_profile_that_denies_execve_and_get_125_with_the_reason()
    {
        // Arrange
        var marker = _temp.File("ran");
        var profile = _temp.Write("no-execve.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["execve", "execveat"], "action": "SCMP_ACT_ERRNO" } ] }
            """);

        // Act
        var result = await Launch.RunAsync(["--profile", profile], ["/bin/sh", "-c", $"echo ran > {marker}"]);

        // Assert: said before the filter is installed, so it is a clear message, not an
        // execve failure after the fact.
        Launch.AssertExit(125, result);
        Assert.Contains("execve", result.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("sandboxrun: ", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the target ran");
    }

    // ---- what the target gets ---------------------------------------------------------

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_let_the_target_keep_sandboxruns_PID()
    {
        // Arrange
        Sandboxrun.SkipIfMissing();
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var command = Cli.Wrap(Repo.Binary)
            .WithArguments(["run", .. Launch.DockerDefault(), "--", "/bin/sh", "-c", "echo $$"])
            .WithValidation(CommandResultValidation.None);

        // Act
        var task = command.ExecuteBufferedAsync(cts.Token);
        var pid = task.ProcessId;
        var result = await task;

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal($"{pid}\n", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_give_the_target_my_environment_and_working_directory()
    {
        // Arrange
        var env = Launch.Require("env");
        var pwd = Launch.Require("pwd");
        Command Configure(Command c) => c
            .WithWorkingDirectory(_temp.Path)
            .WithEnvironmentVariables(e => e.Set("SANDBOXRUN_E2E", "a value with spaces\tand a tab"));
        var controlEnv = await Launch.ProcessAsync(env, [], Configure);
        var controlPwd = await Launch.ProcessAsync(pwd, [], Configure);

        // Act
        var targetEnv = await Launch.RunAsync(Launch.DockerDefault(), [env], Configure);
        var targetPwd = await Launch.RunAsync(Launch.DockerDefault(), [pwd], Configure);
        var hooked = await Launch.RunAsync(Launch.DockerDefault(), [env], c => c
            .WithWorkingDirectory(_temp.Path)
            .WithEnvironmentVariables(e => e.Set("SANDBOXRUN_E2E", "a value with spaces\tand a tab").Set("SANDBOXRUN_TEST_ALLOCATORS", "1")));

        // Assert: the same variables in the same order, as env(1) passes them: none lost,
        // none that .NET added.
        Launch.AssertExit(0, targetEnv);
        Assert.Contains("SANDBOXRUN_E2E=a value with spaces\tand a tab", Sandboxrun.Lines(targetEnv.StandardOutput));
        Assert.Equal(Sandboxrun.Lines(controlEnv.StandardOutput), Sandboxrun.Lines(targetEnv.StandardOutput));
        Launch.AssertExit(0, targetPwd);
        Assert.Equal(controlPwd.StandardOutput, targetPwd.StandardOutput);
        // The launcher's own test hook is not the command's business.
        Launch.AssertExit(0, hooked);
        Assert.Equal(Sandboxrun.Lines(controlEnv.StandardOutput), Sandboxrun.Lines(hooked.StandardOutput));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_give_the_target_an_empty_signal_mask_and_default_SIGPIPE()
    {
        // Arrange: no control run. The test host is a .NET process too: its runtime sets
        // SIGPIPE to SIG_IGN, and the children it starts inherit that (seen here: a probe
        // started by the test host reports "ignored: SIGPIPE"). That is the state sandboxrun
        // must undo, whatever it inherited, so the target starts as a shell would start it.
        Probe.SkipIfMissing();

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "sigmask");

        // Assert
        Launch.AssertExit(0, result);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Contains("blocked: none", lines);
        Assert.Contains("pending: none", lines);
        Assert.Contains("sigpipe: default", lines);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_end_yes_with_head_quietly()
    {
        // Act: yes writes into a closed pipe. With SIGPIPE default it dies of it in silence;
        // with SIGPIPE ignored (.NET's setting, which the test host's children inherit) it
        // would print "yes: standard output: Broken pipe".
        var result = await Launch.RunAsync(Launch.DockerDefault(), ["/bin/sh", "-c", "yes | head -n 1"]);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("y\n", result.StandardOutput);
        Assert.Equal("", result.StandardError);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_give_the_target_only_the_fds_I_gave_sandboxrun()
    {
        // Arrange: the control is the probe started the same way without sandboxrun. The
        // test host passes 0, 1, 2, and whatever it inherited without close-on-exec itself.
        Probe.SkipIfMissing();
        var control = await Probe.RunAsync("fds");

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "fds");

        // Assert: none of the runtime's fds (its own pipes, eventfds, the profile file) leak.
        Assert.True(result.StandardOutput.Contains("fds: ", StringComparison.Ordinal), Launch.Describe("the probe did not run", result));
        Assert.Equal(FdNumbers(control.StandardOutput), FdNumbers(result.StandardOutput));
        Assert.Equal([0, 1, 2], FdNumbers(result.StandardOutput).Take(3));
        if (control.ExitCode == 0)
        {
            Launch.AssertExit(0, result);
        }
    }

    private static int[] FdNumbers(string fdsOutput) =>
        [.. Sandboxrun.Lines(fdsOutput)
            .Where(l => l.StartsWith("fd ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))
            .Order()];

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_leave_out_the_word_run()
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act
        var result = await Launch.ProcessAsync(Repo.Binary, [.. Launch.DockerDefault(), "--", Probe.Path, "call", "mount"]);

        // Assert
        Launch.AssertExit(Errno.EPERM, result);
        Assert.Equal(Probe.Failed("mount", "EPERM"), result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_leave_out_the_profile_and_get_docker_default()
    {
        // Arrange
        Probe.SkipIfMissing();
        var profiles = await Sandboxrun.RunAsync("profiles");
        Skip.IfNot(
            Sandboxrun.Lines(profiles.StandardOutput).Any(l => l.StartsWith("docker-default ", StringComparison.Ordinal)),
            "this binary has no built-in docker-default profile yet (profiles/docker-default.json)");

        // Act
        var mount = await Launch.RunAsync([], [Probe.Path, "call", "mount"]);
        var shell = await Launch.RunAsync([], ["/bin/sh", "-c", "echo hi"]);

        // Assert
        Launch.AssertExit(Errno.EPERM, mount);
        Launch.AssertExit(0, shell);
        Assert.Equal("hi\n", shell.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_find_the_command_through_my_PATH()
    {
        // Arrange: the probe's directory first on PATH, the probe named by its bare name.
        Probe.SkipIfMissing();
        var path = $"{Path.GetDirectoryName(Probe.Path)}:{Environment.GetEnvironmentVariable("PATH")}";

        // Act
        var result = await Launch.RunAsync(
            Launch.DockerDefault(),
            ["probe", "call", "mount"],
            c => c.WithEnvironmentVariables(e => e.Set("PATH", path)));

        // Assert
        Launch.AssertExit(Errno.EPERM, result);
        Assert.Equal(Probe.Failed("mount", "EPERM"), result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_no_new_privs_and_the_filter_in_the_targets_status()
    {
        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), ["/bin/cat", "/proc/self/status"]);

        // Assert: SECCOMP_MODE_FILTER is 2 (linux/seccomp.h).
        Launch.AssertExit(0, result);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Contains("NoNewPrivs:\t1", lines);
        Assert.Contains("Seccomp:\t2", lines);
    }

    // ---- stacked profiles, kill actions ----------------------------------------------

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_stack_two_profiles_and_have_both_apply()
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64(); // aarch64 has no rmdir syscall (unlinkat does it)
        var noMkdir = _temp.Write("no-mkdir.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
            """);
        var noRmdir = _temp.Write("no-rmdir.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
            """);
        string[] both = ["--profile", noMkdir, "--profile", noRmdir];

        // Act: the probe passes pointer 0 by default, so an allowed mkdir/rmdir is EFAULT.
        var mkdir = await Probe.UnderAsync(both, "call", "mkdirat", "-100", "0", "0");
        var rmdir = await Probe.UnderAsync(both, "call", "rmdir");
        var getpid = await Probe.UnderAsync(both, "call", "getpid");
        var status = await Launch.RunAsync(both, ["/bin/cat", "/proc/self/status"]);

        // Assert
        Launch.AssertExit(Errno.EPERM, mkdir);
        Launch.AssertExit(Errno.EACCES, rmdir);
        Assert.Equal(Probe.Failed("rmdir", "EACCES"), rmdir.StandardOutput);
        Launch.AssertExit(0, getpid);
        Assert.Contains("Seccomp_filters:\t2", Sandboxrun.Lines(status.StandardOutput));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_the_stack_answer_with_the_stricter_filter()
    {
        // Arrange: Docker's profile allows mkdir; the second profile denies it. The kernel
        // runs every filter and takes the most restrictive action (ERRNO beats ALLOW).
        Probe.SkipIfMissing();
        var noMkdir = _temp.Write("no-mkdir.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
            """);
        var dir = _temp.File("made");

        // Act
        var result = await Launch.RunAsync([.. Launch.DockerDefault(), "--profile", noMkdir], ["/bin/mkdir", dir]);

        // Assert
        Launch.AssertExit(1, result);
        Assert.Contains("Operation not permitted", result.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_kill_the_process_with_SIGSYS_on_a_KILL_PROCESS_rule()
    {
        // Arrange
        Probe.SkipIfMissing();
        var profile = _temp.Write("kill-getppid.json", """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS" } ] }
            """);

        // Act
        var killed = await Probe.UnderAsync(["--profile", profile], "call", "getppid");
        var other = await Probe.UnderAsync(["--profile", profile], "call", "getpid");

        // Assert: the call never returns, so the probe prints nothing.
        Launch.AssertExit(Probe.KilledBySigsys, killed);
        Assert.Equal("", killed.StandardOutput);
        Launch.AssertExit(0, other);
    }

    // ---- --enosys ------------------------------------------------------------------

    /// <summary>
    /// Names of syscalls numbered 435 and up: clone3 (435) and everything added after it.
    /// From 424 on, the numbers are the same on every architecture (and x32 with bit 30),
    /// so without these names a profile's highest named syscall is below 435 everywhere.
    /// </summary>
    private static readonly HashSet<string> From435 =
    [
        "clone3", "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise",
        "epoll_pwait2", "mount_setattr", "quotactl_fd", "landlock_create_ruleset",
        "landlock_add_rule", "landlock_restrict_self", "memfd_secret", "process_mrelease",
        "futex_waitv", "set_mempolicy_home_node", "cachestat", "fchmodat2", "map_shadow_stack",
        "futex_wake", "futex_wait", "futex_requeue", "statmount", "listmount",
        "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat",
        "getxattrat", "listxattrat", "removexattrat", "open_tree_attr", "file_getattr", "file_setattr",
    ];

    /// <summary>
    /// Docker's profile as an older Docker would have shipped it: no clone3 rule (today's
    /// profile has one, ERRNO(ENOSYS) without CAP_SYS_ADMIN) and no syscall from 435 on.
    /// </summary>
    private string PreClone3Profile()
    {
        var docker = Launch.DockerDefault()[1];
        var profile = JsonNode.Parse(File.ReadAllText(docker))!.AsObject();
        var kept = new JsonArray();
        foreach (var rule in profile["syscalls"]!.AsArray())
        {
            var names = rule!["names"]!.AsArray().Select(n => n!.GetValue<string>()).Where(n => !From435.Contains(n)).ToArray();
            if (names.Length == 0)
            {
                continue;
            }
            var copy = rule.DeepClone().AsObject();
            copy["names"] = new JsonArray([.. names.Select(n => (JsonNode)JsonValue.Create(n))]);
            kept.Add(copy);
        }
        profile["syscalls"] = kept;
        return _temp.Write("pre-clone3.json", profile.ToJsonString());
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData(null)]
    [InlineData("runc")]
    public async Task I_can_let_glibc_fall_back_from_clone3_with_runcs_ENOSYS_stub(string? enosys)
    {
        // Arrange
        Probe.SkipIfMissing();
        string[] options = enosys is null ? ["--profile", PreClone3Profile()] : ["--profile", PreClone3Profile(), "--enosys", enosys];

        // Act
        var result = await Probe.UnderAsync(options, "clone3");

        // Assert: 435 is above the highest number the profile names, so it gets ENOSYS
        // rather than the default EPERM, and glibc's pthread_create falls back to clone.
        Launch.AssertExit(Errno.ENOSYS, result);
        Assert.Equal(
            ["clone3 errno=ENOSYS ret=-1", "clone3: fork ok", "clone3: pthread_create ok"],
            Sandboxrun.Lines(result.StandardOutput));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_python_threads_and_subprocesses_under_a_profile_that_predates_clone3()
    {
        // Arrange
        var python = await RealPrograms.Python3Async();
        const string Script = """
            import subprocess, threading
            t = threading.Thread(target=lambda: None); t.start(); t.join()
            print(subprocess.run(["true"]).returncode)
            """;

        // Act
        var result = await Launch.RunAsync(["--profile", PreClone3Profile()], [python, "-c", Script]);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("0\n", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_start_a_thread_when_enosys_is_off_and_clone3_gets_EPERM()
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act: --enosys off gives unknown numbers the default action, as crun and libseccomp do.
        var result = await Probe.UnderAsync(["--profile", PreClone3Profile(), "--enosys", "off"], "clone3");

        // Assert: glibc falls back from clone3 to clone only on ENOSYS, so EPERM fails
        // pthread_create; fork() is the clone syscall and still works.
        Launch.AssertExit(Errno.EPERM, result);
        Assert.Equal(
            ["clone3 errno=EPERM ret=-1", "clone3: fork ok", "clone3: pthread_create failed: EPERM"],
            Sandboxrun.Lines(result.StandardOutput));
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("runc")]
    [InlineData("off")]
    public async Task I_can_see_docker_defaults_own_clone3_rule_whatever_enosys_says(string enosys)
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act
        var docker = await Probe.UnderAsync([.. Launch.DockerDefault(), "--enosys", enosys], "clone3");
        var admin = await Probe.UnderAsync([.. Launch.DockerDefault(), "--enosys", enosys, "--cap-add", "CAP_SYS_ADMIN"], "clone3");

        // Assert: the profile names clone3: ERRNO(38) without CAP_SYS_ADMIN, ALLOW with it
        // (and the kernel then refuses size 0 with EINVAL).
        Launch.AssertExit(Errno.ENOSYS, docker);
        Launch.AssertExit(Errno.EINVAL, admin);
    }
}
