using System.CommandLine;
using System.Text.Json;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun check</c>: what the filter does with given syscalls, and why. Exit 0 when
/// every one is allowed (ALLOW or LOG), 1 otherwise.
/// </summary>
internal static class CheckCommand
{
    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var json = new Option<bool>("--json") { Description = "Answer in JSON" };
        var syscalls = new Argument<string[]>("SYSCALL")
        {
            Description = "name, name(a0,a1,...) with decimal or 0x hex values, or nr:N; x86:, x32: or arm: asks a compat ABI",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("check", "Say what a profile does with syscalls, and which rule decides") { syscalls };
        policy.AddTo(command);
        command.Options.Add(json);
        command.SetAction(result =>
        {
            var filter = policy.Load(result);
            var answers = result.GetValue(syscalls)!.Select(s => Explainer.Explain(filter, SyscallQuery.Parse(s, filter.Target))).ToList();
            if (result.GetValue(json))
            {
                WriteJson(answers);
            }
            else
            {
                foreach (var a in answers)
                {
                    var verdict = a.Decision.Action.Permits ? "allowed" : "not allowed";
                    Console.Out.WriteLine($"{a.Call}: {a.Decision.Action} ({verdict})  [{a.Query.Abi.Name} nr {a.Query.Number}]");
                    foreach (var line in a.Why)
                    {
                        Console.Out.WriteLine($"  {line}");
                    }
                }
            }
            return answers.All(a => a.Decision.Action.Permits) ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static void WriteJson(IReadOnlyList<Explainer.Explanation> answers)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var a in answers)
            {
                var action = a.Decision.Action;
                w.WriteStartObject();
                w.WriteString("syscall", a.Query.Name);
                w.WriteString("abi", a.Query.Abi.Name);
                w.WriteNumber("nr", a.Query.Number);
                w.WriteStartArray("args");
                foreach (var v in a.Query.Args.Take(a.Query.ArgCount))
                {
                    w.WriteNumberValue(v);
                }
                w.WriteEndArray();
                w.WriteString("action", ActionNames.ToProfileName(action.Kind));
                if (action.Kind is ActionKind.Errno)
                {
                    w.WriteNumber("errno", action.Data);
                    w.WriteString("errnoName", ErrnoNames.Describe(action.Data));
                }
                w.WriteBoolean("allowed", action.Permits);
                w.WriteString("decidedBy", a.Decision.Source.ToString());
                if (a.Decision.Rule is { } rule)
                {
                    w.WriteString("rule", rule.Origin.Rule.Path);
                }
                w.WriteStartArray("why");
                foreach (var line in a.Why)
                {
                    w.WriteStringValue(line);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }
}
