using System.CommandLine;
using System.Text.Json;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun check</c>: what the filter does with given syscalls, and why. Exit 0 when
/// every one is allowed (ALLOW or LOG), 1 otherwise. Several <c>--profile</c> are stacked
/// as the kernel stacks them: each layer's answer is shown, then the one the kernel takes.
/// </summary>
internal static class CheckCommand
{
    /// <summary>One syscall's answer: the kernel's (<see cref="Action"/>) and each layer's, in install order.</summary>
    private sealed record Answer(SyscallQuery Query, IReadOnlyList<Explainer.Explanation> Layers, IReadOnlyList<string> Sources, SeccompAction Action, int Winner);

    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var json = new Option<bool>("--json") { Description = "Answer in JSON" };
        var syscalls = new Argument<string[]>("SYSCALL")
        {
            Description = "name, name(a0,a1,...) with decimal or 0x hex values, or nr:N; x86:, x32: or arm: asks a compat ABI",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("check", "Say what a profile (or a stack of them) does with syscalls, and which rule decides") { syscalls };
        policy.AddTo(command);
        command.Options.Add(json);
        command.SetAction(result =>
        {
            var filters = policy.LoadStack(result);
            var answers = new List<Answer>();
            foreach (var text in result.GetValue(syscalls)!)
            {
                var query = SyscallQuery.Parse(text, filters[0].Target);
                var layers = filters.Select(f => Explainer.Explain(f, query)).ToList();
                var actions = layers.Select(l => l.Decision.Action).ToList();
                answers.Add(new Answer(query, layers, filters.Select(f => f.Profile.Source).ToList(), FilterStack.Combine(actions), FilterStack.Winner(actions)));
            }
            if (result.GetValue(json))
            {
                WriteJson(answers);
            }
            else
            {
                WriteText(answers);
            }
            return answers.All(a => a.Action.Permits) ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static void WriteText(IReadOnlyList<Answer> answers)
    {
        foreach (var a in answers)
        {
            var verdict = a.Action.Permits ? "allowed" : "not allowed";
            Console.Out.WriteLine($"{a.Layers[0].Call}: {a.Action} ({verdict})  [{a.Query.Abi.Name} nr {a.Query.Number}]");
            if (a.Layers.Count == 1)
            {
                foreach (var line in a.Layers[0].Why)
                {
                    Console.Out.WriteLine($"  {line}");
                }
                continue;
            }
            for (var i = 0; i < a.Layers.Count; i++)
            {
                var layer = a.Layers[i];
                var taken = i == a.Winner ? "  <- the kernel takes this answer" : "";
                Console.Out.WriteLine($"  layer {i + 1} ({a.Sources[i]}): {layer.Decision.Action}{taken}");
                foreach (var line in layer.Why)
                {
                    Console.Out.WriteLine($"    {line}");
                }
            }
        }
    }

    private static void WriteJson(IReadOnlyList<Answer> answers)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var a in answers)
            {
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
                WriteAction(w, a.Action);
                if (a.Layers.Count == 1)
                {
                    WriteWhy(w, a.Layers[0]);
                }
                else
                {
                    w.WriteNumber("decidedByLayer", a.Winner + 1);
                    w.WriteStartArray("layers");
                    for (var i = 0; i < a.Layers.Count; i++)
                    {
                        var layer = a.Layers[i];
                        w.WriteStartObject();
                        w.WriteString("profile", a.Sources[i]);
                        WriteAction(w, layer.Decision.Action);
                        WriteWhy(w, layer);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteAction(Utf8JsonWriter w, SeccompAction action)
    {
        w.WriteString("action", ActionNames.ToProfileName(action.Kind));
        if (action.Kind is ActionKind.Errno)
        {
            w.WriteNumber("errno", action.Data);
            w.WriteString("errnoName", ErrnoNames.Describe(action.Data));
        }
        w.WriteBoolean("allowed", action.Permits);
    }

    private static void WriteWhy(Utf8JsonWriter w, Explainer.Explanation a)
    {
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
    }
}
