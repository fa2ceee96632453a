using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// Profiles with SCMP_ACT_NOTIFY rules and a listenerPath: sandboxrun hands the listener to a
/// seccomp agent as runc does (one OCI ContainerProcessState JSON, the fd by SCM_RIGHTS).
/// native-tests/agent.c is that agent: it answers every notified call with success and a
/// value of its choosing, which the probe then prints as the call's result.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class NotifyAgentSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Agent => Path.Combine(Repo.Root, "native-tests", "build", "agent");

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_have_a_seccomp_agent_answer_a_notified_call()
    {
        // Arrange
        Probe.SkipIfMissing();
        Skip.IfNot(File.Exists(Agent), $"{Agent} is missing: run make -C native-tests all (scripts/test does)");
        var socket = _temp.File("agent.sock");
        var profile = _temp.Write("notify.json", $$"""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"{{socket}}","listenerMetadata":"e2e-metadata",
             "syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var agent = Cli.Wrap(Agent).WithArguments([socket, "4242"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(socket))
        {
            Assert.True(DateTime.UtcNow < deadline && !agent.Task.IsCompleted, "the agent did not start listening");
            await Task.Delay(20);
        }

        // Act
        var result = await Probe.UnderAsync(["--profile", profile], "call", "getppid");
        var answered = await agent;

        // Assert: the agent's answer is the call's result, and it got runc's message
        Launch.AssertExit(0, result);
        Assert.Equal("getppid errno=0 ret=4242\n", result.StandardOutput);
        Launch.AssertExit(0, answered);
        var stateLine = Sandboxrun.Lines(answered.StandardOutput).Single(l => l.StartsWith("agent: state ", StringComparison.Ordinal));
        var state = JsonNode.Parse(stateLine["agent: state ".Length..])!;
        Assert.Equal("seccompFd", state["fds"]![0]!.GetValue<string>());
        Assert.Equal("e2e-metadata", state["metadata"]!.GetValue<string>());
        Assert.True(state["pid"]!.GetValue<int>() > 0);
        Assert.Equal(state["pid"]!.GetValue<int>(), state["state"]!["pid"]!.GetValue<int>());
        Assert.Contains("agent: answered ", answered.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_notify_sendmsg_which_hands_the_listener_over()
    {
        // Arrange
        var profile = _temp.Write("notify-sendmsg.json", """
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/nonexistent.sock","syscalls":[{"names":["sendmsg"],"action":"SCMP_ACT_NOTIFY"}]}
            """);

        // Act
        var result = await Launch.RunAsync(["--profile", profile], ["/bin/true"]);

        // Assert
        Launch.AssertExit(125, result);
        Assert.Equal($"sandboxrun: {profile}: syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg: the launcher makes that call before the agent holds the listener\n", result.StandardError);
    }
}
