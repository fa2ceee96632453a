using System.Text.Json;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>sandboxrun generate --from-strace</c> on real strace logs of this machine's programs:
/// the profile it writes lets the same program run under enforcement, whichever of strace's
/// output forms (-f, -ff, -c) it was read from.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class GenerateSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Programs => new()
    {
        { "sh", "ls -l /usr | sort | head" },
        { "python3", "import subprocess, threading; t = threading.Thread(target=print, args=('thread',)); t.start(); t.join(); print(subprocess.run(['ls', '/'], capture_output=True).returncode)" },
    };

    private static string[] CommandOf(string program, string script) =>
        program == "sh" ? [Launch.Require("sh"), "-c", script] : [Launch.Require("python3"), "-c", script];

    private async Task<string> GenerateAsync(string name, params string[] args)
    {
        var output = _temp.File(name);
        var result = await Sandboxrun.RunAsync(["generate", .. args, "-o", output]);
        Launch.AssertExit(0, result);
        Assert.Contains("sandboxrun: note: strace shows only what this run did", result.StandardError, StringComparison.Ordinal);
        return output;
    }

    private static string[] AllowedNames(string profile)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(profile));
        return [.. json.RootElement.GetProperty("syscalls").EnumerateArray()
            .Where(r => r.GetProperty("action").GetString() == "SCMP_ACT_ALLOW")
            .SelectMany(r => r.GetProperty("names").EnumerateArray().Select(n => n.GetString()!))
            .Order(StringComparer.Ordinal)];
    }

    private static async Task<BufferedCommandResult> StraceAsync(params string[] args) =>
        await Launch.ProcessAsync(Launch.Require("strace"), args);

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Programs))]
    public async Task I_can_run_a_program_under_the_profile_generated_from_its_strace_f_log(string program, string script)
    {
        // Arrange
        var command = CommandOf(program, script);
        var control = await Launch.ProcessAsync(command[0], command[1..]);
        var log = _temp.File("f.log");
        Launch.AssertExit(0, await StraceAsync(["-f", "-o", log, .. command]));

        // Act
        var profile = await GenerateAsync("f.json", "--from-strace", log);
        var result = await Launch.RunAsync(["--profile", profile], command);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal(control.StandardOutput, result.StandardOutput);
        Assert.Contains("execve", AllowedNames(profile));
        Assert.DoesNotContain("mount", AllowedNames(profile));
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Programs))]
    public async Task I_can_read_one_run_as_strace_f_and_as_strace_c_and_get_the_same_names(string program, string script)
    {
        // Arrange: -C prints the trace and, at the end, the -c summary of the same run.
        var both = _temp.File("both.log");
        Launch.AssertExit(0, await StraceAsync(["-f", "-C", "-o", both, .. CommandOf(program, script)]));
        var lines = File.ReadAllLines(both);
        var table = Array.FindIndex(lines, l => l.StartsWith("% time", StringComparison.Ordinal));
        Assert.True(table > 0, "strace -C printed no summary");
        var trace = _temp.Write("trace.log", string.Join('\n', lines[..table]) + "\n");
        var summary = _temp.Write("summary.log", string.Join('\n', lines[table..]) + "\n");

        // Act
        var fromTrace = await GenerateAsync("trace.json", "--from-strace", trace);
        var fromSummary = await GenerateAsync("summary.json", "--from-strace", summary);

        // Assert: a summary counts a call when it returns, so it never shows exit and
        // exit_group; generate adds both, and says so.
        Assert.Equal(AllowedNames(fromTrace).Union(["exit", "exit_group"]).Order(StringComparer.Ordinal), AllowedNames(fromSummary));
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Programs))]
    public async Task I_can_get_the_same_names_from_strace_as_from_record(string program, string script)
    {
        // Arrange: the two see the same calls from the program's execve on (record through
        // the kernel's notifications, strace through ptrace); vDSO calls reach neither.
        var command = CommandOf(program, script);
        var recorded = _temp.File("recorded.json");
        Launch.AssertExit(0, await Sandboxrun.RunAsync(["record", "-q", "-o", recorded, "--", .. command]));
        var log = _temp.File("s.log");
        Launch.AssertExit(0, await StraceAsync(["-f", "-o", log, .. command]));

        // Act
        var generated = await GenerateAsync("g.json", "--from-strace", log);

        // Assert
        Assert.Equal(AllowedNames(recorded), AllowedNames(generated));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_generate_from_the_per_process_files_of_strace_ff()
    {
        // Arrange
        var (program, script) = ("sh", "ls -l /usr | sort | head");
        var command = CommandOf(program, script);
        var prefix = _temp.File("trace");
        Launch.AssertExit(0, await StraceAsync(["-ff", "-o", prefix, .. command]));
        Assert.True(Directory.GetFiles(_temp.Path, "trace.*").Length >= 3, "a pipeline of three programs gives three files");

        // Act
        var profile = await GenerateAsync("ff.json", "--from-strace", prefix);
        var result = await Launch.RunAsync(["--profile", profile], command);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Contains("pipe2", AllowedNames(profile));
        Assert.Contains("wait4", AllowedNames(profile));
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_add_what_docker_default_denies_to_a_copy_of_it()
    {
        // Arrange: a user namespace needs unshare, which Docker's default denies.
        var unshare = Launch.Require("unshare");
        var command = new[] { unshare, "--user", "true" };
        Launch.AssertExit(1, await Launch.RunAsync(["--profile", "docker-default"], command));
        var log = _temp.File("u.log");
        Launch.AssertExit(0, await StraceAsync(["-f", "-o", log, .. command]));

        // Act
        var profile = await GenerateAsync("u.json", "--from-strace", log, "--base", "docker-default");
        var result = await Launch.RunAsync(["--profile", profile], command);

        // Assert
        Launch.AssertExit(0, result);
        var check = await Sandboxrun.RunAsync("check", "--profile", profile, "mount");
        Assert.Equal(1, check.ExitCode); // still denied: the program did not use it
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_generate_from_a_file_that_is_not_strace_output()
    {
        // Arrange
        var notALog = _temp.Write("notes.txt", "hello\nworld\n");

        // Act
        var result = await Sandboxrun.RunAsync("generate", "--from-strace", notALog);
        var missing = await Sandboxrun.RunAsync("generate", "--from-strace", _temp.File("absent"));

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no syscalls found", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("notes.txt:1: \"hello\"", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal($"sandboxrun: {_temp.File("absent")}: no such file, and no strace -ff files {_temp.File("absent")}.<pid>\n", missing.StandardError);
    }
}
