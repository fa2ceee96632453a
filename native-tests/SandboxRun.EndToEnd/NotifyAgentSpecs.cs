using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// Profiles with SCMP_ACT_NOTIFY rules and a listenerPath (or --listener-path): sandboxrun
/// hands the listener to a seccomp agent as runc does (one OCI ContainerProcessState JSON, the
/// fd by SCM_RIGHTS), and refuses to run one with no agent to hand it to.
/// native-tests/agent.c is that agent: it answers every notified call with success and a
/// value of its choosing, which the probe then prints as the call's result.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class NotifyAgentSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>How long the agent may take to exit once the target has ended.</summary>
    private static readonly TimeSpan AgentExit = TimeSpan.FromSeconds(5);

    private static string Agent => Path.Combine(Repo.Root, "native-tests", "build", "agent");

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_have_a_seccomp_agent_answer_a_notified_call()
    {
        // Arrange
        SkipUnlessBuilt();
        var socket = _temp.File("agent.sock");
        var profile = _temp.Write("notify.json", $$"""
            {"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"{{socket}}","listenerMetadata":"e2e-metadata",
             "syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var agent = await StartAgentAsync(socket, cts.Token);

        // Act
        var result = await Probe.UnderAsync(["--profile", profile], "call", "getppid");
        var answered = await EndOfAsync(agent, cts);

        // Assert: the agent's answer is the call's result, and it got runc's message
        Launch.AssertExit(0, result);
        Assert.Equal("getppid errno=0 ret=4242\n", result.StandardOutput);
        Assert.NotNull(answered);
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

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_name_the_agent_with_listener_path_for_a_profile_without_listenerPath()
    {
        // Arrange
        SkipUnlessBuilt();
        var socket = _temp.File("agent.sock");
        var profile = _temp.Write("notify-no-path.json", """
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        using var cts = new CancellationTokenSource(Sandboxrun.Timeout);
        var agent = await StartAgentAsync(socket, cts.Token);

        // Act
        var result = await Probe.UnderAsync(["--profile", profile, "--listener-path", socket], "call", "getppid");
        var answered = await EndOfAsync(agent, cts);

        // Assert: the agent at --listener-path got the listener and answered 4242
        Launch.AssertExit(0, result);
        Assert.Equal("getppid errno=0 ret=4242\n", result.StandardOutput);
        Assert.NotNull(answered);
        Launch.AssertExit(0, answered);
        Assert.Contains("agent: answered ", answered.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_run_a_notifying_profile_without_an_agent_to_hand_the_listener_to()
    {
        // Arrange: no listenerPath and no --listener-path; the target would leave a file behind
        var profile = _temp.Write("notify-no-agent.json", """
            {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}
            """);
        var marker = _temp.File("ran");

        // Act
        var result = await Launch.RunAsync(["--profile", profile], ["/bin/sh", "-c", $"echo ran > '{marker}'"]);

        // Assert: refused before the target ran (a notified call without an agent would wait forever)
        Launch.AssertExit(125, result);
        Assert.Equal($"sandboxrun: {profile}: SCMP_ACT_NOTIFY needs a seccomp agent: the profile has no listenerPath (or give --listener-path)\n", result.StandardError);
        Assert.Equal("", result.StandardOutput);
        Assert.False(File.Exists(marker), "the target ran");
    }

    /// <summary>
    /// The agent's run once the target has ended: it has answered by now or never will (the
    /// launcher did not connect), so it gets a few seconds to exit; null when it had to be killed.
    /// </summary>
    private static async Task<BufferedCommandResult?> EndOfAsync(CommandTask<BufferedCommandResult> agent, CancellationTokenSource cts)
    {
        cts.CancelAfter(AgentExit);
        try
        {
            return await agent;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static void SkipUnlessBuilt()
    {
        Probe.SkipIfMissing();
        Skip.IfNot(File.Exists(Agent), $"{Agent} is missing: run make -C native-tests all (scripts/test does)");
    }

    /// <summary>
    /// Starts agent.c on <paramref name="socket"/>, answering every notified call with 4242,
    /// and returns once it listens; the task ends when the agent has answered and exited.
    /// </summary>
    private static async Task<CommandTask<BufferedCommandResult>> StartAgentAsync(string socket, CancellationToken cancellation)
    {
        var agent = Cli.Wrap(Agent).WithArguments([socket, "4242"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellation);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(socket))
        {
            Assert.True(DateTime.UtcNow < deadline && !agent.Task.IsCompleted, "the agent did not start listening");
            await Task.Delay(20, cancellation);
        }
        return agent;
    }
}
