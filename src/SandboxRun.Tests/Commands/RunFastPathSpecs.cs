using System.CommandLine;
using SandboxRun.Commands;

namespace SandboxRun.Tests.Commands;

/// <summary>
/// The launcher's fast command-line path must read every command line it accepts exactly as
/// System.CommandLine does, and leave every other one to it.
/// </summary>
public sealed class RunFastPathSpecs
{
    public static TheoryData<string> Accepted => new()
    {
        "-- true",
        "run -- true",
        "--profile docker-default -- sh -c 'exit 3'",
        "-p a.json -p b.json --quiet -- /bin/true --profile x",
        "--profile=a.json --caps all --cap-add SYS_ADMIN --cap-add CAP_BPF --cap-drop CAP_CHOWN -- ls",
        "run --kernel 4.7 --enosys off --arch x86_64 -q -- python3 -c pass",
        "--enosys=known -- env",
    };

    public static TheoryData<string> Declined => new()
    {
        "--help",
        "--version",
        "compile --profile docker-default",
        "true",
        "--profile docker-default",
        "--caps all --caps none -- true",
        "--profile -- true",
        "--bogus -- true",
        "--",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void I_can_have_the_fast_path_read_what_System_CommandLine_reads(string line)
    {
        // Arrange
        var args = line.Split(' ');
        var root = new RootCommand();
        var policy = new PolicyOptions();
        policy.AddTo(root);
        var command = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore };
        root.Arguments.Add(command);
        var slow = root.Parse(args[0] == "run" ? args[1..] : args);

        // Act
        var accepted = RunFastPath.TryParse(args, out var fast, out var argv);

        // Assert
        Assert.True(accepted);
        Assert.Empty(slow.Errors);
        var expected = policy.Read(slow);
        Assert.Equal(expected.Profiles, fast.Profiles);
        Assert.Equal(expected.Arch, fast.Arch);
        Assert.Equal(expected.Caps, fast.Caps);
        Assert.Equal(expected.CapAdd, fast.CapAdd);
        Assert.Equal(expected.CapDrop, fast.CapDrop);
        Assert.Equal(expected.Kernel, fast.Kernel);
        Assert.Equal(expected.Enosys, fast.Enosys);
        Assert.Equal(expected.Quiet, fast.Quiet);
        Assert.Equal(slow.GetValue(command), argv);
    }

    [Theory]
    [MemberData(nameof(Declined))]
    public void I_cannot_have_the_fast_path_take_what_it_does_not_fully_understand(string line) =>
        Assert.False(RunFastPath.TryParse(line.Split(' '), out _, out _));
}
