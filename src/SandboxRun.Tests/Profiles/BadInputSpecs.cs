using System.Diagnostics;
using System.Reflection;
using System.Text;
using SandboxRun.Commands;
using SandboxRun.Errors;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Profiles;

/// <summary>
/// Malformed profiles (SPEC.md §7 "Bad input"): each gets its exact message lines, all
/// problems at once, and through the real command line exit status 2 with one
/// <c>sandboxrun: </c> line per problem and no stack trace.
/// </summary>
[Collection(ConsoleTests.Name)]
public sealed class BadInputSpecs
{
    private const string Source = "p.json";

    private static string WithRule(string rule) =>
        $$"""{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{{{rule}}}]}""";

    private static string WithArg(string arg) =>
        WithRule($$"""
            "names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{{{arg}}}]
            """);

    /// <summary>Case name, profile text, the exact problem lines (without the source prefix).</summary>
    public static TheoryData<string, string, string[]> Malformed => new()
    {
        // wrong types
        { "index as a string", WithArg("""
            "index": "0", "value": 1, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].index: expected an unsigned integer, found the string \"0\""] },
        { "value as a boolean", WithArg("""
            "index": 0, "value": true, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: expected an unsigned integer, found the boolean true"] },
        { "names as an object", WithRule("""
            "names": {"read": true}, "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0].names: expected an array, found an object"] },
        { "names as a string", WithRule("""
            "names": "read", "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0].names: expected an array, found the string \"read\""] },
        { "a name as a number", WithRule("""
            "names": ["read", 0], "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0].names[1]: expected a string, found the number 0"] },
        { "action as a number", WithRule("""
            "names": ["read"], "action": 2147418112
            """), ["syscalls[0].action: expected a string, found the number 2147418112"] },
        { "defaultAction as an array", """{"defaultAction": ["SCMP_ACT_ALLOW"]}""",
            ["defaultAction: expected a string, found an array"] },
        { "syscalls as an object", """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {"names": ["read"]}}""",
            ["syscalls: expected an array, found an object"] },
        { "a rule as a string", """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ["read"]}""",
            ["syscalls[0]: expected an object, found the string \"read\""] },
        { "a rule as null", """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [null]}""",
            ["syscalls[0]: expected an object, found null"] },
        { "includes as an array", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": ["amd64"]
            """), ["syscalls[0].includes: expected an object, found an array"] },
        { "minKernel as a number", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": 4.8}
            """), ["syscalls[0].includes.minKernel: expected a string, found the number 4.8"] },
        { "a long string is cut in the message", """{"defaultAction": 123456789012345678901234567890123456789012345678901234567890}""",
            ["defaultAction: expected a string, found the number 1234567890123456789012345678901234567890…"] },

        // unknown names
        { "bad operator", WithArg("""
            "index": 0, "value": 1, "op": "SCMP_CMP_EQUAL"
            """), ["syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\" (did you mean SCMP_CMP_EQ?)"] },
        { "operator in lower case", WithArg("""
            "index": 0, "value": 1, "op": "scmp_cmp_masked_eq"
            """), ["syscalls[0].args[0].op: unknown operator \"scmp_cmp_masked_eq\" (did you mean SCMP_CMP_MASKED_EQ?)"] },
        { "bad action", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ALOW"
            """), ["syscalls[0].action: unknown action \"SCMP_ACT_ALOW\" (did you mean SCMP_ACT_ALLOW?)"] },
        { "action far from any", WithRule("""
            "names": ["read"], "action": "permit"
            """), ["syscalls[0].action: unknown action \"permit\""] },
        { "bad default action", """{"defaultAction": "SCMP_ACT_ERRNO(1)"}""",
            ["defaultAction: unknown action \"SCMP_ACT_ERRNO(1)\" (did you mean SCMP_ACT_ERRNO?)"] },
        { "unknown arch", """{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86-64"]}""",
            ["architectures[0]: unknown architecture \"SCMP_ARCH_X86-64\" (did you mean SCMP_ARCH_X86_64?)"] },
        { "arch runc does not know", """{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_NATIVE"]}""",
            ["architectures[0]: unknown architecture \"SCMP_ARCH_NATIVE\""] },
        { "unknown sub-arch", """{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM32"]}]}""",
            ["archMap[0].subArchitectures[0]: unknown architecture \"SCMP_ARCH_ARM32\" (did you mean SCMP_ARCH_ARM?)"] },
        { "null arch", """{"defaultAction": "SCMP_ACT_ALLOW", "architectures": [null]}""",
            ["architectures[0]: unknown architecture \"\""] },
        { "archMap entry without architecture", """{"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"subArchitectures": ["SCMP_ARCH_X86"]}]}""",
            ["archMap[0]: an archMap entry needs \"architecture\""] },
        { "unknown flag", """{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOGG"]}""",
            ["flags[0]: unknown filter flag \"SECCOMP_FILTER_FLAG_LOGG\" (did you mean SECCOMP_FILTER_FLAG_LOG?) (runc knows SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW)"] },

        // out of range
        { "index 6", WithArg("""
            "index": 6, "value": 1, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].index: argument index 6 is out of range: a syscall has arguments 0 to 5"] },
        { "errnoRet 4096", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4096
            """), ["syscalls[0].errnoRet: errno 4096 is out of range: libseccomp takes 0 to 4094, so Docker refuses it"] },
        { "errnoRet 4095 (libseccomp refuses MAX_ERRNO itself)", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095
            """), ["syscalls[0].errnoRet: errno 4095 is out of range: libseccomp takes 0 to 4094, so Docker refuses it"] },
        { "defaultErrnoRet 65536", """{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 65536}""",
            ["defaultErrnoRet: errno 65536 is out of range: libseccomp takes 0 to 4094, so Docker refuses it"] },
        { "negative value", WithArg("""
            "index": 0, "value": -1, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: -1 is negative: the value is an unsigned 64-bit integer"] },
        { "negative zero", WithArg("""
            "index": -0, "value": 1, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].index: -0 is negative: the value is an unsigned 64-bit integer"] },
        { "fractional value", WithArg("""
            "index": 0, "value": 1.5, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: 1.5 is not an integer: the value is an unsigned 64-bit integer"] },
        { "integer written with a fraction", WithArg("""
            "index": 0, "value": 1.0, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: 1.0 is not an integer: the value is an unsigned 64-bit integer"] },
        { "exponent", WithArg("""
            "index": 0, "value": 1e3, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: 1e3 is not an integer: the value is an unsigned 64-bit integer"] },
        { "value 2^64", WithArg("""
            "index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"
            """), ["syscalls[0].args[0].value: 18446744073709551616 does not fit in 64 bits (largest 18446744073709551615)"] },
        { "valueTwo 2^100", WithArg("""
            "index": 0, "value": 1, "valueTwo": 1267650600228229401496703205376, "op": "SCMP_CMP_MASKED_EQ"
            """), ["syscalls[0].args[0].valueTwo: 1267650600228229401496703205376 does not fit in 64 bits (largest 18446744073709551615)"] },

        // missing or contradicting
        { "missing defaultAction", """{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}""",
            ["defaultAction: no action given (one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)"] },
        { "missing action", WithRule("""
            "names": ["read"]
            """), ["syscalls[0].action: no action given (one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)"] },
        { "missing op", WithArg("""
            "index": 0, "value": 1
            """), ["syscalls[0].args[0]: the argument condition has no \"op\""] },
        { "both name and names", WithRule("""
            "name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0]: both \"name\" and \"names\" are given: Docker refuses that, use \"names\""] },
        { "empty name string", WithRule("""
            "names": ["read", ""], "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0].names[1]: an empty string is not a syscall name"] },
        { "null name", WithRule("""
            "names": [null], "action": "SCMP_ACT_ALLOW"
            """), ["syscalls[0].names[0]: an empty string is not a syscall name"] },
        { "both architectures and archMap", """{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}""",
            ["archMap: 'architectures' and 'archMap' are both given: Docker refuses that, use one of them"] },
        { "NOTIFY as the default", """{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/agent.sock"}""",
            ["defaultAction: SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the write that hands the listener over would be notified too)"] },
        { "NOTIFY on write", WithRule("""
            "names": ["read", "write"], "action": "SCMP_ACT_NOTIFY"
            """), ["syscalls[0].action: SCMP_ACT_NOTIFY cannot be used for write (runc refuses it: the listener is handed over with a write)"] },
        { "a repeated array of rules", """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}],
             "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}
            """, ["syscalls: \"syscalls\" is given twice: Docker's Go decoder would merge the two arrays element by element instead of taking the last; give it once"] },
        { "an array of rules given three times", """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}],
             "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}], "syscalls": [{"names": ["close"], "action": "SCMP_ACT_ALLOW"}]}
            """, ["syscalls: \"syscalls\" is given twice: Docker's Go decoder would merge the two arrays element by element instead of taking the last; give it once",
                  "syscalls: \"syscalls\" is given twice: Docker's Go decoder would merge the two arrays element by element instead of taking the last; give it once"] },
        { "a repeated array of conditions in another case", WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "op": "SCMP_CMP_EQ"}], "Args": [{"value": 3, "op": "SCMP_CMP_EQ"}]
            """), ["syscalls[0].args: \"args\" is given twice: Docker's Go decoder would merge the two arrays element by element instead of taking the last; give it once"] },

        // not a profile
        { "not JSON at all (YAML)", "defaultAction: SCMP_ACT_ALLOW\nsyscalls: []\n",
            ["invalid JSON at line 1, column 1: 'd' is an invalid start of a value"] },
        { "empty file", "", ["invalid JSON: the file is empty (a profile is a JSON object)"] },
        { "only white space", " \n\t\r\n ", ["invalid JSON: the file is empty (a profile is a JSON object)"] },
        { "top-level array", """[{"defaultAction": "SCMP_ACT_ALLOW"}]""", ["a profile is a JSON object, not an array"] },
        { "top-level null", "null", ["a profile is a JSON object, not null"] },
        { "top-level string", "\"SCMP_ACT_ALLOW\"", ["a profile is a JSON object, not the string \"SCMP_ACT_ALLOW\""] },
        { "truncated", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n  {\"names\": [\"read\"", ["invalid JSON at line 2, column 20: Expected depth to be zero at the end of the JSON payload"] },
        { "trailing comma", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n}", ["invalid JSON at line 2, column 1: The JSON object contains a trailing comma at the end which is not supported in this mode"] },
        { "comment", "// seccomp\n{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", ["invalid JSON at line 1, column 1: '/' is an invalid start of a value"] },
        { "single quotes", "{'defaultAction': 'SCMP_ACT_ALLOW'}", ["invalid JSON at line 1, column 2: ''' is an invalid start of a property name"] },
        { "two documents", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n{}", ["invalid JSON at line 2, column 1: '{' is invalid after a single JSON value"] },
        { "byte order mark", "\uFEFF{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", ["invalid JSON at line 1, column 1: the file starts with a UTF-8 byte order mark, which Docker refuses too; save it without one"] },
        { "100 nested arrays", new string('[', 100) + new string(']', 100), ["a profile is a JSON object, not an array"] },
        { "100 nested arrays as the rules", $$"""{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {{new string('[', 100)}}{{new string(']', 100)}}}""",
            ["syscalls[0]: expected an object, found an array"] },
        { "nesting deeper than Go allows", new string('[', 10_001) + new string(']', 10_001),
            ["invalid JSON at line 1, column 10001: The maximum configured depth of 10000 has been exceeded"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void I_cannot_read_a_malformed_profile(string @case, string json, string[] expected)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(json);

        // Act
        var error = Assert.Throws<ProfileException>(() => ProfileReader.Read(Source, bytes));

        // Assert
        Assert.True(@case.Length > 0);
        Lines.Equal(expected.Select(e => $"{Source}: {e}"), error.Problems);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void I_get_every_problem_of_a_profile_at_once_in_document_order()
    {
        // Arrange
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ALOW",
              "architectures": ["SCMP_ARCH_X86_64"],
              "archMap": [{"architecture": "SCMP_ARCH_AARCH64"}],
              "syscalls": [
                {"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 7, "value": -3, "op": "SCMP_CMP_EQUAL"}]},
                {"name": "open", "names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000},
                {"names": [""], "action": "SCMP_ACT_NOTIFY"}
              ],
              "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]
            }
            """;

        // Act
        var error = Assert.Throws<ProfileException>(() => ProfileReader.Read(Source, Encoding.UTF8.GetBytes(json)));

        // Assert
        Lines.Equal(
            [
                "p.json: syscalls[0].args[0].index: argument index 7 is out of range: a syscall has arguments 0 to 5",
                "p.json: syscalls[0].args[0].value: -3 is negative: the value is an unsigned 64-bit integer",
                "p.json: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\" (did you mean SCMP_CMP_EQ?)",
                "p.json: syscalls[1]: both \"name\" and \"names\" are given: Docker refuses that, use \"names\"",
                "p.json: syscalls[1].errnoRet: errno 5000 is out of range: libseccomp takes 0 to 4094, so Docker refuses it",
                "p.json: syscalls[2].names[0]: an empty string is not a syscall name",
                "p.json: flags[0]: unknown filter flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\" (runc knows SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW)",
                "p.json: archMap: 'architectures' and 'archMap' are both given: Docker refuses that, use one of them",
                "p.json: defaultAction: unknown action \"SCMP_ACT_ALOW\" (did you mean SCMP_ACT_ALLOW?)",
            ],
            error.Problems);
        Assert.Equal(string.Join('\n', error.Problems), error.Message);
    }

    [Fact]
    public void I_can_read_a_huge_profile_of_100_000_rules()
    {
        // Arrange: about 10 MB of valid JSON.
        var json = new StringBuilder("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n");
        for (var i = 0; i < 100_000; i++)
        {
            json.Append(i == 0 ? "" : ",\n");
            json.Append($$"""  {"names": ["read", "write", "openat"], "action": "SCMP_ACT_ALLOW", "args": [{"index": {{i % 6}}, "value": {{i}}, "op": "SCMP_CMP_NE"}], "comment": "rule {{i}}"}""");
        }
        json.Append("\n]}");
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        var clock = Stopwatch.StartNew();

        // Act
        var profile = ProfileReader.Read(Source, bytes);

        // Assert
        Assert.InRange(bytes.Length, 10_000_000, 20_000_000);
        Assert.Equal(100_000, profile.Syscalls.Count);
        Assert.Equal(99_999, profile.Syscalls[^1].Position);
        Assert.Equal(new ArgCondition(3, CompareOp.NotEqual, 99_999, 0), profile.Syscalls[^1].Args[0]);
        Assert.Empty(profile.Warnings);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"reading took {clock.Elapsed}");
    }

    [Fact]
    public void I_cannot_read_10_MB_of_garbage()
    {
        // Arrange
        var bytes = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x9C;

        // Act
        var error = Assert.Throws<ProfileException>(() => ProfileReader.Read(Source, bytes));

        // Assert
        Lines.Equal(["p.json: invalid JSON at line 1, column 1: '0x9C' is an invalid start of a value"], error.Problems);
    }

    [Fact]
    public void I_cannot_read_a_profile_that_turns_into_garbage_after_its_start()
    {
        // Arrange: a valid beginning, then 10 MB of bytes that are not UTF-8.
        var head = "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": ["u8.ToArray();
        var bytes = head.Concat(Enumerable.Repeat((byte)0xFF, 10 * 1024 * 1024)).ToArray();

        // Act
        var error = Assert.Throws<ProfileException>(() => ProfileReader.Read(Source, bytes));

        // Assert
        Lines.Equal(["p.json: invalid JSON at line 2, column 15: '0xFF' is an invalid start of a value"], error.Problems);
    }

    // ---- through the command line ----

    /// <summary>Runs sandboxrun's Main in this process; returns its status and what it wrote to stderr.</summary>
    private static (int ExitCode, string Stderr) RunMain(params string[] args)
    {
        var main = typeof(Cli).Assembly.GetType("SandboxRun.Program", throwOnError: true)!
            .GetMethod("Main", BindingFlags.NonPublic | BindingFlags.Static)!;
        var stderr = new StringWriter();
        var previous = Console.Error;
        Console.SetError(stderr);
        try
        {
            var code = (int)main.Invoke(null, [args])!;
            return (code, stderr.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    private static string TempProfile(string text, string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sandboxrun-bad-input");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void I_cannot_compile_a_bad_profile_and_get_exit_2_with_one_line_per_problem()
    {
        // Arrange
        var path = TempProfile(WithRule("""
            "names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1, "args": [{"index": 9, "value": 1.5, "op": "SCMP_CMP_EQUAL"}]
            """), "three-problems.json");

        // Act
        var (exitCode, stderr) = RunMain("compile", "--profile", path, "--arch", "x86_64");

        // Assert
        Assert.Equal(2, exitCode);
        Assert.Equal(
            $"sandboxrun: {path}: syscalls[0].args[0].index: argument index 9 is out of range: a syscall has arguments 0 to 5\n"
            + $"sandboxrun: {path}: syscalls[0].args[0].value: 1.5 is not an integer: the value is an unsigned 64-bit integer\n"
            + $"sandboxrun: {path}: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\" (did you mean SCMP_CMP_EQ?)\n",
            stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("empty.json", "", "invalid JSON: the file is empty (a profile is a JSON object)")]
    [InlineData("yaml.json", "defaultAction: SCMP_ACT_ALLOW\n", "invalid JSON at line 1, column 1: 'd' is an invalid start of a value")]
    [InlineData("array.json", "[]", "a profile is a JSON object, not an array")]
    [InlineData("notify.json", "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "defaultAction: SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the write that hands the listener over would be notified too)")]
    public void I_cannot_use_a_bad_profile_on_the_command_line_and_see_no_stack_trace(string name, string text, string expected)
    {
        // Arrange
        var path = TempProfile(text, name);

        // Act
        var (exitCode, stderr) = RunMain("compile", "--profile", path);

        // Assert
        Assert.Equal(2, exitCode);
        Assert.Equal($"sandboxrun: {path}: {expected}\n", stderr.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void I_cannot_compile_a_profile_that_does_not_exist()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), "sandboxrun-bad-input", "absent", "p.json");

        // Act
        var error = Assert.ThrowsAny<SandboxRunException>(() => Cli.Run(["compile", "--profile", path]));

        // Assert
        Assert.Equal(2, error.ExitCode);
        Assert.StartsWith($"{path}: cannot read the profile: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void I_cannot_check_a_bad_profile_either()
    {
        // Arrange
        var path = TempProfile("""{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_AMD64"]}""", "arch.json");

        // Act
        var error = Assert.ThrowsAny<SandboxRunException>(() => Cli.Run(["check", "--profile", path, "read"]));

        // Assert
        Assert.Equal(2, error.ExitCode);
        var problem = Assert.Single(Assert.IsType<ProfileException>(error).Problems);
        Assert.Equal($"{path}: architectures[0]: unknown architecture \"SCMP_ARCH_AMD64\" (did you mean SCMP_ARCH_X86_64?)", problem);
    }
}
