using System.CommandLine;
using System.Globalization;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Launch;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Recording;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun record [-o OUT.json] [--base P] -- COMMAND [ARG]...</c>: runs COMMAND with
/// every syscall notified and allowed (<see cref="WatchFilter.NotifyEverything"/>), following
/// its threads, children and execs (the filter is inherited), and writes the profile that lets
/// the same run pass under enforcement (<see cref="ProfileWriter"/>). Exit status: COMMAND's.
/// </summary>
internal static class RecordCommand
{
    internal static Command Create()
    {
        var command = new Command("record", "Run COMMAND, allowing and recording every syscall, and write a profile that lets the run pass: sandboxrun record [-o OUT.json] [--base P] -- COMMAND [ARG]...");
        var output = new Option<string?>("--output", "-o") { Description = "Write the profile here (default: standard output, after the run)" };
        var basis = new Option<string?>("--base") { Description = "Merge the calls that P does not allow into a copy of P (a file or a built-in name)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No summary line on standard error" };
        var target = new Argument<string[]>("COMMAND") { Description = "The program and its arguments (after --)", Arity = ArgumentArity.ZeroOrMore };
        command.Options.Add(output);
        command.Options.Add(basis);
        command.Options.Add(quiet);
        command.Arguments.Add(target);
        command.SetAction(result =>
        {
            var argv = result.GetValue(target) ?? [];
            if (argv.Length == 0)
            {
                throw new UsageException("missing COMMAND: sandboxrun record [-o OUT.json] [--base P] -- COMMAND [ARG]...");
            }
            return Record(argv, result.GetValue(output), result.GetValue(basis), result.GetValue(quiet));
        });
        return command;
    }

    private static int Record(string[] argv, string? output, string? basePath, bool quiet)
    {
        FilterPolicy? basePolicy = null;
        (Profile Profile, byte[] Json)? baseProfile = null;
        if (basePath is not null)
        {
            baseProfile = ProfileSource.LoadWithJson(basePath);
            basePolicy = PolicyResolver.Resolve(baseProfile.Value.Profile, TargetArch.Native, ResolveOptions.Default);
        }
        var started = DateTime.UtcNow;
        var recorder = new Recorder(basePolicy);
        var request = RunCommand.Request([new InstallableFilter(WatchFilter.NotifyEverything(), 0, "record")], argv);
        int status;
        try
        {
            status = Supervisor.Run(request, 0, _ => new WritingRecorder(recorder, () => Write(recorder, argv, started, output, basePath, baseProfile, quiet)));
        }
        catch (SandboxRunException e) when (e.ExitCode == ExitCodes.Usage)
        {
            throw new RunFailedException(e.Message);
        }
        return status;
    }

    /// <summary>Writes the profile when the run ends, before the supervisor passes on the target's status.</summary>
    private sealed class WritingRecorder(Recorder inner, Action write) : IWatcher
    {
        public Answer Handle(in Notification notification, TargetMemory memory) => inner.Handle(notification, memory);

        public void Finish(TargetEnd end)
        {
            inner.Finish(end);
            write();
        }
    }

    private static void Write(Recorder recorder, string[] argv, DateTime started, string? output, string? basePath, (Profile Profile, byte[] Json)? baseProfile, bool quiet)
    {
        var end = recorder.End!.Value;
        var how = end.Signal != 0 ? $"killed by {CallFormatter.SignalName(end.Signal)}" : $"exit {end.ExitCode}";
        var when = started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var comment = $"Recorded by sandboxrun record on {when} (Linux {HostKernel.Version}, {TargetArch.Native}, {how}): {string.Join(' ', argv)}. "
            + (basePath is null
                ? "Allows every syscall that run made, from its execve on; everything else fails with EPERM."
                : $"The calls of that run that {basePath} denied.");
        // The recorder passes with a base only the calls the base denied with their real arguments.
        var warnings = new List<string>();
        var json = baseProfile is { } b
            ? ProfileWriter.Merge(b.Profile, b.Json, TargetArch.Native, recorder.Names, comment, ResolveOptions.Default, warnings, judged: true)
            : ProfileWriter.Minimal(TargetArch.Native, recorder.Names, comment);
        foreach (var warning in warnings)
        {
            Console.Error.WriteLine($"sandboxrun: record: {warning}");
        }
        CompileCommand.Write(output, json);
        foreach (var unnamed in recorder.Unnamed)
        {
            Console.Error.WriteLine($"sandboxrun: record: {unnamed} has no name in sandboxrun's tables; a profile cannot allow it by name");
        }
        if (!quiet)
        {
            var counts = string.Join(", ", recorder.Names.Select(p => $"{p.Value.Count} {p.Key.Name}"));
            Console.Error.WriteLine($"sandboxrun: record: {(basePath is null ? "" : "added ")}{(counts.Length == 0 ? "no" : counts)} syscalls{(output is null ? "" : $", written to {output}")} ({how})");
        }
    }
}
