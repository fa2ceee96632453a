using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Recording;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun generate --from-strace LOG [--base P] [-o OUT]</c>: a profile from strace's
/// output, the way people make profiles today, minus the usual mistakes (pid prefixes,
/// resumed calls, 32-bit processes, calls printed by number, a cut log).
/// </summary>
internal static partial class GenerateCommand
{
    internal static Command Create()
    {
        var logs = new Option<string[]>("--from-strace")
        {
            Description = "strace output: a file of `strace -f [-o FILE]` or `strace -c`, the PREFIX of `strace -ff -o PREFIX`, or - for standard input; repeatable",
            Required = true,
        };
        var baseProfile = new Option<string?>("--base") { Description = "Add the names to a copy of this profile (file or built-in name) instead of a minimal profile" };
        var arch = new Option<string?>("--arch") { Description = "Machine the log was made on: x86_64 or aarch64 (default: this one)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the profile to FILE instead of standard output" };
        var command = new Command("generate", "Write a profile that allows the syscalls an strace log shows");
        command.Options.Add(logs);
        command.Options.Add(baseProfile);
        command.Options.Add(arch);
        command.Options.Add(output);
        command.SetAction(result =>
        {
            var target = TargetArch.FromOption(result.GetValue(arch));
            var sources = result.GetValue(logs) ?? [];
            var log = new StraceLog(target);
            foreach (var source in sources)
            {
                ReadLog(log, source);
            }
            if (log.Calls == 0)
            {
                Warn(log.Warnings);
                throw new UsageException($"{string.Join(", ", sources)}: no syscalls found: is it the output of strace -f, -ff -o or -c?");
            }
            var used = log.Complete();
            var warnings = new List<string>(log.Warnings);
            var comment = Comment(sources, used, target);
            byte[] json;
            if (result.GetValue(baseProfile) is { } name)
            {
                var (profile, bytes) = ProfileSource.LoadWithJson(name);
                json = ProfileWriter.Merge(profile, bytes, target, used, comment, ResolveOptions.Default, warnings);
            }
            else
            {
                json = ProfileWriter.Minimal(target, used, comment);
            }
            Warn(warnings);
            Console.Error.WriteLine("sandboxrun: note: strace shows only what this run did, and never the calls the vDSO serves (clock_gettime, gettimeofday, time, getcpu), which become syscalls where the clock source has no vDSO support; check other runs with `sandboxrun --report`");
            CompileCommand.Write(result.GetValue(output), json);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Warn(IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            Console.Error.WriteLine($"sandboxrun: warning: {warning}");
        }
    }

    /// <summary>One --from-strace value: a file, standard input, or the PREFIX of -ff files.</summary>
    private static void ReadLog(StraceLog log, string source)
    {
        if (source == "-")
        {
            log.Read("<stdin>", Console.In, null);
            return;
        }
        if (File.Exists(source))
        {
            using var reader = Open(source);
            log.Read(source, reader, null);
            return;
        }
        var directory = Path.GetDirectoryName(source) is { Length: > 0 } d ? d : ".";
        var prefix = Path.GetFileName(source) + ".";
        var perProcess = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, prefix + "*")
                .Select(f => (File: f, Pid: Path.GetFileName(f)[prefix.Length..]))
                .Where(f => PidSuffix().IsMatch(f.Pid))
                .OrderBy(f => long.Parse(f.Pid, CultureInfo.InvariantCulture))
                .ToList()
            : [];
        if (perProcess.Count == 0)
        {
            throw new UsageException($"{source}: no such file, and no strace -ff files {source}.<pid>");
        }
        foreach (var (file, pid) in perProcess)
        {
            using var reader = Open(file);
            log.Read(file, reader, pid);
        }
    }

    private static StreamReader Open(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read: {e.Message}");
        }
    }

    private static string Comment(IReadOnlyList<string> sources, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used, TargetArch target)
    {
        var perAbi = string.Join(", ", target.AllArches.Where(used.ContainsKey).Select(a => $"{used[a].Count} on {a.Name}"));
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"Generated by sandboxrun generate --from-strace {string.Join(" ", sources.Select(Path.GetFileName))} on {date}: the syscalls that run made ({perAbi}). A log shows only what one run did.";
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex PidSuffix();
}
