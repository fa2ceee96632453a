using System.CommandLine;
using System.Text.Json;
using SandboxRun.Errors;
using SandboxRun.Lint;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun lint --profile P [--json]</c>: findings with severity, JSON path and fix.
/// Exit 0 when there are none (or only infos), 1 when any is a warning or an error, 2 when
/// the profile cannot be read (its errors are listed as findings all the same).
/// </summary>
internal static class LintCommand
{
    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var json = new Option<bool>("--json") { Description = "Findings as a JSON array" };
        var command = new Command("lint", "Find the mistakes in a profile that Docker lets pass");
        policy.AddTo(command);
        command.Options.Add(json);
        command.SetAction(result =>
        {
            var args = policy.Read(result);
            if (args.Profiles.Count != 1)
            {
                throw new UsageException($"lint: give one --profile (it was given {args.Profiles.Count} times)");
            }
            var (source, bytes) = ProfileSource.LoadBytes(args.Profiles[0]);
            var lint = Linter.Lint(source, bytes, args.ResolveOptions(), args.Arch is null ? null : args.Target());
            if (result.GetValue(json))
            {
                WriteJson(lint.Findings);
            }
            else
            {
                WriteText(source, lint.Findings);
            }
            return !lint.Readable ? ExitCodes.Usage
                : lint.Findings.Any(f => f.Severity != Severity.Info) ? ExitCodes.Negative
                : ExitCodes.Success;
        });
        return command;
    }

    private static void WriteText(string source, IReadOnlyList<Finding> findings)
    {
        foreach (var f in findings)
        {
            var where = f.Path.Length == 0 ? source : $"{source}: {f.Path}";
            Console.Out.WriteLine($"{where}: {f.SeverityName} [{f.Code}]: {f.Message}");
            if (f.Fix is { } fix)
            {
                Console.Out.WriteLine($"  fix: {fix}");
            }
        }
        int Count(Severity s) => findings.Count(f => f.Severity == s);
        Console.Out.WriteLine($"{source}: {Count(Severity.Error)} errors, {Count(Severity.Warning)} warnings, {Count(Severity.Info)} infos");
    }

    private static void WriteJson(IReadOnlyList<Finding> findings)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var f in findings)
            {
                w.WriteStartObject();
                w.WriteString("severity", f.SeverityName);
                w.WriteString("code", f.Code);
                w.WriteString("path", f.Path);
                w.WriteString("message", f.Message);
                if (f.Fix is { } fix)
                {
                    w.WriteString("fix", fix);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }
}
