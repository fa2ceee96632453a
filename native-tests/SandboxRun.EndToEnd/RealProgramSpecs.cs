using CliWrap;

namespace SandboxRun.EndToEnd;

/// <summary>
/// Docker's default profile is meant to let ordinary programs run; under
/// <c>sandboxrun run</c> they must, with the same output as without it: a shell,
/// coreutils, python with threads and subprocesses, git, and an HTTP client. What they
/// need and Docker's profile lacks (clone3, close_range, ...) must fail the way libc
/// expects (ENOSYS), not with EPERM.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class RealProgramSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_a_shell_that_echoes()
    {
        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), ["sh", "-c", "echo hi"]);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("hi\n", result.StandardOutput);
        Assert.Equal("", result.StandardError);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("ls /")]
    [InlineData("cat /etc/hostname")]
    [InlineData("ls -la /proc/self/")]
    [InlineData("id")]
    [InlineData("uname -a")]
    public async Task I_can_run_coreutils_with_the_output_they_have_without_a_filter(string commandLine)
    {
        // Arrange
        var words = commandLine.Split(' ');
        var path = Launch.Require(words[0]);
        var args = words[1..];
        Skip.If(args.Contains("/etc/hostname") && !File.Exists("/etc/hostname"), "/etc/hostname is missing here");
        var control = await Launch.ProcessAsync(path, args);

        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), [path, .. args]);

        // Assert (ls of /proc/self/ differs in its pid and times only, so compare its names)
        Launch.AssertExit(0, result);
        Assert.Equal("", result.StandardError);
        if (args.Contains("/proc/self/"))
        {
            Assert.Equal(Names(control.StandardOutput), Names(result.StandardOutput));
        }
        else
        {
            Assert.Equal(control.StandardOutput, result.StandardOutput);
        }
    }

    private static string[] Names(string lsLong) =>
        [.. Sandboxrun.Lines(lsLong).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])];

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_sort_my_standard_input()
    {
        // Arrange
        var sort = Launch.Require("sort");

        // Act
        var result = await Launch.RunAsync(
            Launch.DockerDefault(),
            [sort],
            c => c.WithStandardInputPipe(PipeSource.FromString("pear\napple\nfig\n")));

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("apple\nfig\npear\n", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_python_with_threads_and_subprocesses()
    {
        // Arrange: threads are clone3, which Docker's profile answers with ENOSYS so that
        // glibc falls back to clone; subprocess forks, execs and reads a pipe.
        var python = await RealPrograms.Python3Async();
        const string Script = """
            import subprocess, sys, threading
            squares = []
            threads = [threading.Thread(target=lambda i=i: squares.append(i * i)) for i in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            child = subprocess.run(["sh", "-c", "echo from child"], capture_output=True, text=True, check=True)
            print(sorted(squares), child.stdout.strip())
            """;

        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), [python, "-c", Script]);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("[0, 1, 4, 9] from child\n", result.StandardOutput);
        Assert.Equal("", result.StandardError);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_make_a_git_repository_and_commit_to_it()
    {
        // Arrange: no global or system git config, so that nothing of this machine's
        // configuration (hooks, signing) takes part.
        var git = Launch.Require("git");
        var repo = _temp.File("repo");
        Command Isolated(Command c) => c
            .WithWorkingDirectory(_temp.Path)
            .WithEnvironmentVariables(e => e
                .Set("GIT_CONFIG_GLOBAL", "/dev/null")
                .Set("GIT_CONFIG_NOSYSTEM", "1"));
        string[] identity = ["-c", "user.name=sandboxrun e2e", "-c", "user.email=e2e@sandboxrun.invalid", "-c", "init.defaultBranch=main"];

        // Act
        var init = await Launch.RunAsync(Launch.DockerDefault(), [git, .. identity, "init", "-q", repo], Isolated);
        Launch.AssertExit(0, init);
        File.WriteAllText(Path.Combine(repo, "hello.txt"), "hello\n");
        var add = await Launch.RunAsync(Launch.DockerDefault(), [git, .. identity, "-C", repo, "add", "hello.txt"], Isolated);
        var commit = await Launch.RunAsync(Launch.DockerDefault(), [git, .. identity, "-C", repo, "commit", "-q", "-m", "first under seccomp"], Isolated);
        var log = await Launch.RunAsync(Launch.DockerDefault(), [git, "-C", repo, "log", "--format=%s %an"], Isolated);

        // Assert
        Launch.AssertExit(0, add);
        Launch.AssertExit(0, commit);
        Launch.AssertExit(0, log);
        Assert.Equal("first under seccomp sandboxrun e2e\n", log.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_fetch_a_file_over_HTTP_from_a_local_server()
    {
        // Arrange: curl, else wget (whichever is installed); the server runs outside the filter.
        Sandboxrun.SkipIfMissing();
        var python = await RealPrograms.Python3Async();
        var curl = Launch.FindOnPath("curl");
        var wget = Launch.FindOnPath("wget");
        Skip.If(curl is null && wget is null, "neither curl nor wget is installed here");
        var site = Directory.CreateDirectory(_temp.File("site")).FullName;
        File.WriteAllText(Path.Combine(site, "hello.txt"), "hello over http\n");
        await using var server = await HttpServer.StartAsync(python, site);
        var url = $"http://127.0.0.1:{server.Port}/hello.txt";
        // No proxy: a proxy of this machine's environment must not answer for 127.0.0.1.
        string[] client = curl is not null
            ? [curl, "--silent", "--show-error", "--noproxy", "*", "--max-time", "20", url]
            : [wget!, "--quiet", "--no-proxy", "--timeout=20", "--output-document=-", url];

        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), client);

        // Assert
        Launch.AssertExit(0, result);
        Assert.Equal("hello over http\n", result.StandardOutput);
    }
}
