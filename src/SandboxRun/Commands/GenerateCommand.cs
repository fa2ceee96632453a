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
            var target = result.GetValue(arch) is { } a
                ? TargetArch.Find(a) ?? throw new UsageException($"--arch: unknown machine \"{a}\"{DidYouMean.Hint(a, TargetArch.All.Select(t => t.Name))} (x86_64 or aarch64)")
                : TargetArch.Native;
            var sources = result.GetValue(logs) ?? [];
            var log = new StraceLog(target);
            foreach (var source in sources)
            {
                ReadLog(log, source);
            }
            var warnings = new List<string>(log.Warnings);
            if (log.Calls == 0)
            {
                Warn(warnings);
                throw new UsageException($"{string.Join(", ", sources)}: no syscalls found: is it the output of strace -f, -ff -o or -c?");
            }
            var used = log.Used.ToDictionary(kv => kv.Key, kv => kv.Value);
            if (!log.SawExecve)
            {
                // sandboxrun (and any runtime) starts the program with execve under the filter.
                warnings.Add("no execve in the log (strace -p attaches after it): execve added, the program cannot start without it; calls made before strace attached are missing");
                if (!used.TryGetValue(target.Main, out var native))
                {
                    used[target.Main] = native = new SortedSet<string>(StringComparer.Ordinal);
                }
                native.Add("execve");
            }
            if (log.SawSummary && !log.SawTrace)
            {
                // strace -c counts a call when it returns: exit and exit_group never do. libc's
                // _exit calls exit_group, then exit in a loop: denying both hangs the program.
                warnings.Add("strace -c does not count calls that never return: exit and exit_group added");
                foreach (var set in used.Values)
                {
                    set.Add("exit");
                    set.Add("exit_group");
                }
            }
            if (used.Values.Any(s => s.Contains("io_uring_setup")))
            {
                warnings.Add("the program uses io_uring: what it submits through the ring (openat, read, connect, ...) is neither a syscall nor in the log");
            }
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

    private static void Warn(List<string> warnings)
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

    private static string Comment(IReadOnlyList<string> sources, Dictionary<Arch.Arch, SortedSet<string>> used, TargetArch target)
    {
        var perAbi = string.Join(", ", target.AllArches.Where(used.ContainsKey).Select(a => $"{used[a].Count} on {a.Name}"));
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"Generated by sandboxrun generate --from-strace {string.Join(" ", sources.Select(Path.GetFileName))} on {date}: the syscalls that run made ({perAbi}). A log shows only what one run did.";
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex PidSuffix();
}
