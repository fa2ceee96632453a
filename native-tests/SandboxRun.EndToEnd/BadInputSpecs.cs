namespace SandboxRun.EndToEnd;

/// <summary>
/// Bad input ends with exit 2 and one line <c>sandboxrun: ...</c> on stderr that names the
/// problem and where it is; never a stack trace, never output on stdout.
/// </summary>
public sealed class BadInputSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Cases => new()
    {
        { "missing-file", "cannot read the profile" },
        { "malformed-json", "invalid JSON at line 2, column 1" },
        { "unknown-action", "syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"" },
        { "unknown-syscall", "check: \"nosuchcall\": x86_64 has no syscall \"nosuchcall\"" },
        { "unknown-arch", "--arch: unknown machine \"sparc\"" },
        { "no-profile", "compile: give --profile P" },
    };

    private string[] ArgsOf(string name)
    {
        const string Allow = """{ "defaultAction": "SCMP_ACT_ALLOW" }""";
        return name switch
        {
            "missing-file" => ["compile", "--profile", _temp.File("absent.json")],
            "malformed-json" => ["compile", "--profile", _temp.Write("malformed.json", "{\"defaultAction\": \n")],
            "unknown-action" => ["compile", "--profile", _temp.Write("action.json",
                """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOPE" } ] }""")],
            "unknown-syscall" => ["check", "--profile", _temp.Write("allow.json", Allow), "--arch", "x86_64", "nosuchcall"],
            "unknown-arch" => ["compile", "--profile", _temp.Write("allow.json", Allow), "--arch", "sparc"],
            "no-profile" => ["compile"],
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task I_cannot_give_bad_input_without_exit_2_and_one_error_line(string name, string expected)
    {
        // Arrange
        var args = ArgsOf(name);

        // Act
        var result = await Sandboxrun.RunAsync(args);

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        // A .NET stack trace is "Unhandled exception. ..." and then "   at Type.Method(...)" lines.
        Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        var line = Assert.Single(Sandboxrun.Lines(result.StandardError));
        Assert.StartsWith("sandboxrun: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
