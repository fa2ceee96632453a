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
            var filters = policy.LoadStack(result);
            var programs = filters.Select(SeccompCompiler.Compile).ToList();
            var sources = filters.Select(f => f.Profile.Source).ToList();
            var arch = filters[0].Target.Name;
            var form = result.GetValue(format);
            if (form == "raw" && programs.Count > 1)
            {
                // One byte stream cannot say where a program ends; bwrap takes one --seccomp FD per layer.
                throw new UsageException($"compile --format raw writes one program; compile each of the {programs.Count} layers on its own (bwrap takes one --seccomp FD per layer)");
            }
            var bytes = form switch
            {
                "raw" => programs[0].ToBytes(),
                "c" => Encoding.UTF8.GetBytes(ToC(programs, sources, arch)),
                "json" => ToJson(programs, sources, arch),
                _ => Encoding.UTF8.GetBytes(Disasm(programs, sources)),
            };
            Write(result.GetValue(output), bytes);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One program as it was; a stack with a header before each layer, in install order.</summary>
    private static string Disasm(List<BpfProgram> programs, List<string> sources)
    {
        if (programs.Count == 1)
        {
            return Disassembler.Disassemble(programs[0]);
        }
        var text = new StringBuilder();
        for (var i = 0; i < programs.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"; layer {i + 1} of {programs.Count}: {sources[i]} ({programs[i].Length} instructions); the kernel runs every layer and takes the most restrictive answer\n");
            text.Append(Disassembler.Disassemble(programs[i]));
        }
        return text.ToString();
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

    private static string ToC(List<BpfProgram> programs, List<string> sources, string arch)
    {
        var text = new StringBuilder();
        text.Append("#include <linux/filter.h>\n");
        for (var i = 0; i < programs.Count; i++)
        {
            // One profile keeps the plain names; a stack numbers them in install order.
            var suffix = programs.Count == 1 ? "" : $"_{i + 1}";
            text.Append(CultureInfo.InvariantCulture, $"\n/* seccomp filter for {arch}, compiled by sandboxrun from {sources[i]}: {programs[i].Length} instructions */\n");
            text.Append(CultureInfo.InvariantCulture, $"static struct sock_filter filter{suffix}[] = {{\n");
            foreach (var insn in programs[i].Instructions)
            {
                text.Append(CultureInfo.InvariantCulture, $"\t{{ 0x{insn.Code:x2}, {insn.Jt}, {insn.Jf}, 0x{insn.K:x8} }},\n");
            }
            text.Append(CultureInfo.InvariantCulture, $"}};\n\nstatic struct sock_fprog prog{suffix} = {{\n\t.len = sizeof(filter{suffix}) / sizeof(filter{suffix}[0]),\n\t.filter = filter{suffix},\n}};\n");
        }
        return text.ToString();
    }

    /// <summary>One program: <c>{arch, length, instructions}</c>; a stack: <c>{arch, layers: [{profile, length, instructions}]}</c>.</summary>
    private static byte[] ToJson(List<BpfProgram> programs, List<string> sources, string arch)
    {
        using var stream = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("arch", arch);
            if (programs.Count == 1)
            {
                WriteProgram(json, programs[0]);
            }
            else
            {
                json.WriteStartArray("layers");
                for (var i = 0; i < programs.Count; i++)
                {
                    json.WriteStartObject();
                    json.WriteString("profile", sources[i]);
                    WriteProgram(json, programs[i]);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static void WriteProgram(System.Text.Json.Utf8JsonWriter json, BpfProgram program)
    {
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
    }
}
