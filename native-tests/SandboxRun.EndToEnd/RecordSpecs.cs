using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// The newcomer's workflow on real programs: <c>record</c> a run, run it again enforced
/// under the recorded profile (it passes), then take one recorded syscall out: the program
/// fails, and <c>--report</c> names that syscall, and of the calls the run needed, only it.
/// (A program that fails may go on to calls it never made before, such as perror's dup;
/// those are not in the record and may be reported too.)
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class RecordSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_a_shell_pipeline_and_run_it_enforced()
    {
        // (its output is not compared: the times of /tmp and the like change between runs;
        // without pipe2 the shell cannot build the pipeline)
        await RecordEnforceAndReportAsync(["sh", "-c", "ls -l / | sort | head"], null, "pipe2");
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_git_init_and_commit_and_run_it_enforced()
    {
        Launch.Require("git");
        string[] command = ["sh", "-c", "git init -q . && git -c user.name=e2e -c user.email=e2e@example.invalid commit -q --allow-empty -m first && git log --format=%s"];
        await RecordEnforceAndReportAsync(command, "first\n", RuntimeInformation.ProcessArchitecture == Architecture.X64 ? "mkdir" : "mkdirat", freshDirectory: true);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_a_multithreaded_probe_that_forks_and_execs_and_run_it_enforced()
    {
        Probe.SkipIfMissing();
        string[] command = [Probe.Path, "fork-exec", Probe.Path, "threads", "4", "getppid"];
        var control = await Launch.ProcessAsync(Probe.Path, command[1..]);
        Launch.AssertExit(0, control);
        await RecordEnforceAndReportAsync(command, null, "wait4");
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_an_x32_call_and_get_SCMP_ARCH_X32_in_the_profile()
    {
        // Arrange: x32 getpid (39 | 0x40000000); seccomp sees it even where the kernel has no
        // x32 ABI and answers ENOSYS after the filter
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64();
        var control = await Probe.RunAsync("x32", "39");
        var profile = _temp.File("x32.json");

        // Act
        var recorded = await Recording.RecordAsync(profile, [Probe.Path, "x32", "39"], _temp.Path);
        var enforced = await Recording.EnforceAsync(profile, [], [Probe.Path, "x32", "39"], _temp.Path);

        // Assert: the compat ABI is in the profile, so the enforced run ends as the bare one
        Assert.Equal(control.ExitCode, recorded.ExitCode);
        Assert.Equal(control.ExitCode, enforced.ExitCode);
        Assert.Equal(control.StandardOutput, enforced.StandardOutput);
        Assert.Contains("\"SCMP_ARCH_X32\"", await File.ReadAllTextAsync(profile));
        Assert.Contains("getpid", Recording.Names(profile));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_on_a_base_and_get_only_the_calls_it_denied_with_their_real_arguments()
    {
        // Arrange: a base that allows all the probe needs, but socket only for AF_UNIX (a0 == 1)
        Probe.SkipIfMissing();
        string[] unix = [Probe.Path, "call", "socket", "1", "1", "0"]; // AF_UNIX, SOCK_STREAM
        string[] inet = [Probe.Path, "call", "socket", "2", "1", "0"]; // AF_INET, SOCK_STREAM
        var baseProfile = await SocketForAfUnixOnlyAsync();
        var control = await Probe.RunAsync(inet[1..]);
        Launch.AssertExit(0, control);
        Launch.AssertExit(0, await Recording.EnforceAsync(baseProfile, [], unix, _temp.Path));
        Launch.AssertExit(Errno.EPERM, await Recording.EnforceAsync(baseProfile, [], inet, _temp.Path));
        var baseRules = JsonNode.Parse(File.ReadAllText(baseProfile))!["syscalls"]!;

        // Act: record on the base with the family it allows, then with one it denies
        var allowedOut = _temp.File("allowed.json");
        var allowed = await Recording.RecordOnAsync(baseProfile, allowedOut, unix, _temp.Path);
        var deniedOut = _temp.File("denied.json");
        var denied = await Recording.RecordOnAsync(baseProfile, deniedOut, inet, _temp.Path);

        // Assert: AF_UNIX passed the base's condition, so nothing is added; the rules are the base's
        Launch.AssertExit(0, allowed);
        Assert.StartsWith("sandboxrun: record: added no syscalls, written to ", allowed.StandardError);
        Assert.True(JsonNode.DeepEquals(baseRules, JsonNode.Parse(File.ReadAllText(allowedOut))!["syscalls"]), File.ReadAllText(allowedOut));

        // Assert: AF_INET did not, so socket comes first in an ALLOW rule of its own, the base's rules after it
        Launch.AssertExit(0, denied);
        Assert.StartsWith("sandboxrun: record: added 1 ", denied.StandardError);
        var rules = JsonNode.Parse(File.ReadAllText(deniedOut))!["syscalls"]!.AsArray();
        Assert.Equal(["socket"], rules[0]!["names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("SCMP_ACT_ALLOW", rules[0]!["action"]!.GetValue<string>());
        Assert.Null(rules[0]!["args"]);
        Assert.True(JsonNode.DeepEquals(baseRules, new JsonArray([.. rules.Skip(1).Select(r => r!.DeepClone())])), File.ReadAllText(deniedOut));

        // Act + Assert: the written profile lets the AF_INET run through as the bare run
        var enforced = await Recording.EnforceAsync(deniedOut, [], inet, _temp.Path);
        Launch.AssertExit(0, enforced);
        Assert.Equal(control.StandardOutput, enforced.StandardOutput);
    }

    /// <summary>
    /// A record of the probe's socket(AF_UNIX) with socket's name taken out of the ALLOW rule
    /// and put back in a rule of its own that holds only for a0 == AF_UNIX.
    /// </summary>
    private async Task<string> SocketForAfUnixOnlyAsync()
    {
        var recorded = _temp.File("recorded-unix.json");
        Launch.AssertExit(0, await Recording.RecordAsync(recorded, [Probe.Path, "call", "socket", "1", "1", "0"], _temp.Path));
        var path = Recording.Without(recorded, "socket", _temp.File("base.json"));
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        root["syscalls"]!.AsArray().Add(JsonNode.Parse("""
            {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}
            """));
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_record_python_http_server_serving_curl_and_run_it_enforced()
    {
        // Arrange
        var python = await RealPrograms.Python3Async();
        var curl = Launch.Require("curl");
        var www = Directory.CreateDirectory(_temp.File("www")).FullName;
        File.WriteAllText(Path.Combine(www, "file.txt"), "served under a recorded profile\n");
        var profile = _temp.File("http.json");

        // Act: record the server while curl fetches the file, then stop it with SIGTERM
        var recorded = await ServeAsync(["record", "-o", profile, "--"], python, curl, www);

        // Assert: the supervisor ends as the server did (SIGTERM, raised again) and wrote the profile
        Assert.Equal("served under a recorded profile\n", recorded.Fetched);
        Launch.AssertExit(128 + 15, recorded.Result);
        Assert.Contains("accept4", Recording.Names(profile));

        // Act: the same, enforced
        var enforced = await ServeAsync(["run", "--profile", profile, "--"], python, curl, www);
        Assert.Equal("served under a recorded profile\n", enforced.Fetched);
        Launch.AssertExit(128 + 15, enforced.Result);

        // Act: without bind, the server cannot start; --report names bind
        var without = Recording.Without(profile, "bind", _temp.File("no-bind.json"));
        var port = RealPrograms.FreePort().ToString(CultureInfo.InvariantCulture);
        var report = await Recording.EnforceAsync(without, ["--report"], [python, "-m", "http.server", port, "--bind", "127.0.0.1", "--directory", www], _temp.Path);
        AssertNamesOnly("bind", Recording.Names(profile), report);
    }

    private sealed record Served(BufferedCommandResult Result, string Fetched);

    /// <summary>sandboxrun ARGS python -m http.server, curl once, SIGTERM to sandboxrun.</summary>
    private static async Task<Served> ServeAsync(string[] sandboxrun, string python, string curl, string www)
    {
        Sandboxrun.SkipIfMissing();
        var port = RealPrograms.FreePort();
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var server = Cli.Wrap(Repo.Binary)
            .WithArguments([.. sandboxrun, python, "-m", "http.server", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", www])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cts.Token);
        var url = $"http://127.0.0.1:{port}/file.txt";
        BufferedCommandResult fetched;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            await Task.Delay(100);
            fetched = await Launch.ProcessAsync(curl, ["--silent", "--show-error", "--noproxy", "*", "--max-time", "20", url]);
        }
        while (fetched.ExitCode == 7 && !server.Task.IsCompleted && DateTime.UtcNow < deadline); // 7: not listening yet
        _ = Kill(server.ProcessId, 15);
        return new Served(await server, fetched.StandardOutput);
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// record → enforced run (same output, exit 0) → the profile without <paramref name="remove"/>:
    /// the run fails as it does without --report, and --report names that syscall.
    /// </summary>
    private async Task RecordEnforceAndReportAsync(string[] command, string? expectedOutput, string remove, bool freshDirectory = false)
    {
        // Arrange
        var profile = _temp.File("recorded.json");
        string Dir(string name) => freshDirectory ? Directory.CreateDirectory(_temp.File(name)).FullName : _temp.Path;

        // Act: record
        var recorded = await Recording.RecordAsync(profile, command, Dir("record"));

        // Assert: the run went as usual, and the profile names what it used
        Launch.AssertExit(0, recorded);
        if (expectedOutput is not null)
        {
            Assert.Equal(expectedOutput, recorded.StandardOutput);
        }
        var names = Recording.Names(profile);
        Assert.Contains("execve", names);
        Assert.Contains(remove, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);

        // Act: enforced
        var enforced = await Recording.EnforceAsync(profile, [], command, Dir("enforce"));

        // Assert
        Launch.AssertExit(0, enforced);
        Assert.NotEqual("", enforced.StandardOutput);
        if (expectedOutput is not null)
        {
            Assert.Equal(expectedOutput, enforced.StandardOutput);
        }
        Assert.Equal("", enforced.StandardError);

        // Act: one name less, with and without --report
        var without = Recording.Without(profile, remove, _temp.File("without.json"));
        var plain = await Recording.EnforceAsync(without, [], command, Dir("plain"));
        var report = await Recording.EnforceAsync(without, ["--report"], command, Dir("report"));

        // Assert: it breaks, the same way with --report, and the report names the missing call
        Assert.NotEqual(0, plain.ExitCode);
        Assert.Equal(plain.ExitCode, report.ExitCode);
        AssertNamesOnly(remove, names, report);
    }

    /// <summary>Of the recorded names, the report denies exactly <paramref name="removed"/>.</summary>
    private static void AssertNamesOnly(string removed, IReadOnlyCollection<string> recorded, BufferedCommandResult report)
    {
        var denied = Recording.Denied(report.StandardError);
        if (!denied.Contains(removed) || denied.Intersect(recorded).Distinct().Count() != 1)
        {
            Assert.Fail(Launch.Describe($"--report should name {removed} and no other recorded call; it named {string.Join(", ", denied)}", report));
        }
    }
}
