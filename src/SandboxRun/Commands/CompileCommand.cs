using System.CommandLine;
using System.Globalization;
using System.Text;
using SandboxRun.Bpf;
using SandboxRun.Errors;

namespace SandboxRun.Commands;

/// <summary><c>sandboxrun compile</c>: the BPF program of a profile, in one of four forms.</summary>
internal static class CompileCommand
{
    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var format = new Option<string>("--format", "-f")
        {
            Description = "raw (struct sock_filter[] bytes, as bwrap --seccomp reads), disasm, c, json",
            DefaultValueFactory = _ => "disasm",
        };
        format.AcceptOnlyFromAmong("raw", "disasm", "c", "json");
        var output = new Option<string?>("--output", "-o") { Description = "Write to FILE instead of standard output" };
        var command = new Command("compile", "Compile a profile to its seccomp BPF program");
        policy.AddTo(command);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(result =>
        {
            var filter = policy.Load(result);
            var program = SeccompCompiler.Compile(filter);
            var bytes = result.GetValue(format) switch
            {
                "raw" => program.ToBytes(),
                "c" => Encoding.UTF8.GetBytes(ToC(program, filter.Profile.Source, filter.Target.Name)),
                "json" => ToJson(program, filter.Target.Name),
                _ => Encoding.UTF8.GetBytes(Disassembler.Disassemble(program)),
            };
            Write(result.GetValue(output), bytes);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static void Write(string? path, byte[] bytes)
    {
        if (path is null or "-")
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(bytes);
            return;
        }
        try
        {
            File.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot write: {e.Message}", ExitCodes.Usage);
        }
    }

    private static string ToC(BpfProgram program, string source, string arch)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"/* seccomp filter for {arch}, compiled by sandboxrun from {source}: {program.Length} instructions */\n");
        text.Append("#include <linux/filter.h>\n\n");
        text.Append("static struct sock_filter filter[] = {\n");
        foreach (var insn in program.Instructions)
        {
            text.Append(CultureInfo.InvariantCulture, $"\t{{ 0x{insn.Code:x2}, {insn.Jt}, {insn.Jf}, 0x{insn.K:x8} }},\n");
        }
        text.Append("};\n\nstatic struct sock_fprog prog = {\n\t.len = sizeof(filter) / sizeof(filter[0]),\n\t.filter = filter,\n};\n");
        return text.ToString();
    }

    private static byte[] ToJson(BpfProgram program, string arch)
    {
        using var stream = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("arch", arch);
            json.WriteNumber("length", program.Length);
            json.WriteStartArray("instructions");
            foreach (var insn in program.Instructions)
            {
                json.WriteStartObject();
                json.WriteNumber("code", insn.Code);
                json.WriteNumber("jt", insn.Jt);
                json.WriteNumber("jf", insn.Jf);
                json.WriteNumber("k", insn.K);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }
}
