using System.Text.RegularExpressions;

namespace SandboxRun.EndToEnd;

/// <summary><c>--help</c> on every command and <c>--version</c> answer on stdout with exit 0.</summary>
public sealed partial class HelpSpecs
{
    [SkippableTheory]
    [InlineData("--help", "compile")]
    [InlineData("compile --help", "--format")]
    [InlineData("check --help", "SYSCALL")]
    [InlineData("profiles --help", "profiles")]
    public async Task I_can_ask_for_help(string args, string mentioned)
    {
        // Act
        var result = await Sandboxrun.RunAsync(args.Split(' '));

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(mentioned, result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task I_can_ask_for_the_version()
    {
        // Act
        var result = await Sandboxrun.RunAsync("--version");

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.StandardError);
        Assert.Matches(Version(), result.StandardOutput);
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+\S*\n$")]
    private static partial Regex Version();
}
