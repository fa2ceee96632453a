using System.Globalization;
using System.Text;
using SandboxRun.Arch;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Export;

/// <summary>
/// Profile → a systemd unit drop-in. systemd's own filter (SystemCallFilter=, systemd.exec(5))
/// holds names only, one default and one list: an allow-list whose other calls get
/// <c>SystemCallErrorNumber=</c> (or kill the process), or a deny-list (<c>~</c>) where each
/// name may carry its own errno. A profile that fits one of those shapes, once
/// includes/excludes are resolved, becomes <c>SystemCallFilter=</c> lines; any other (rules
/// on arguments, several actions, TRAP/TRACE/LOG/NOTIFY, KILL_THREAD) runs under sandboxrun
/// from <c>ExecStart=</c>, and the drop-in says why.
/// </summary>
internal static class SystemdExporter
{
    /// <summary>systemd's names for the ABIs (SystemCallArchitectures=, seccomp-util.c).</summary>
    private static string SystemdArch(Arch.Arch arch) =>
        arch == Arch.Arch.X86_64 ? "x86-64"
        : arch == Arch.Arch.X86 ? "x86"
        : arch == Arch.Arch.X32 ? "x32"
        : arch == Arch.Arch.Aarch64 ? "arm64"
        : "arm";

    internal sealed record Request(Profile Profile, TargetArch Target, ResolveOptions Options, string ProfileArgument, IReadOnlyList<string> RunOptions, string Binary, IReadOnlyList<string> Command);

    internal static string Export(Request request)
    {
        var (profile, target, options) = (request.Profile, request.Target, request.Options);
        var kept = profile.Syscalls.Where(r => r.Names.Count > 0 && PolicyResolver.ExclusionReason(r, target, options) is null && r.Action != profile.DefaultAction).ToList();
        var reasons = new List<string>();
        var allowList = profile.DefaultAction.Kind != ActionKind.Allow;
        switch (profile.DefaultAction.Kind)
        {
            case ActionKind.Allow or ActionKind.Errno or ActionKind.KillProcess:
                break;
            case ActionKind.KillThread:
                reasons.Add("the default action SCMP_ACT_KILL_THREAD kills one thread; systemd's filter kills the whole process");
                break;
            default:
                reasons.Add($"the default action {profile.DefaultAction} has no SystemCallFilter= form");
                break;
        }
        foreach (var rule in kept)
        {
            var names = $"{rule.Path} ({string.Join(", ", rule.Names.Take(3))}{(rule.Names.Count > 3 ? ", …" : "")})";
            if (rule.Args.Count > 0)
            {
                reasons.Add($"{names} filters by argument ({string.Join(" && ", rule.Args)}): SystemCallFilter= takes names only");
            }
            else if (allowList && rule.Action.Kind != ActionKind.Allow)
            {
                reasons.Add($"{names}: {rule.Action} beside SCMP_ACT_ALLOW and the default {profile.DefaultAction}: an allow-list has one action for the calls it leaves out");
            }
            else if (!allowList && rule.Action.Kind is not (ActionKind.Errno or ActionKind.KillProcess))
            {
                reasons.Add($"{names}: {rule.Action} has no SystemCallFilter= form (a deny-list gives an errno or kills the process)");
            }
        }

        if (allowList && kept.Count == 0)
        {
            // An empty SystemCallFilter= resets the list instead of allowing nothing.
            reasons.Add("the profile allows no syscall, and an empty SystemCallFilter= means no filter");
        }

        var text = new StringBuilder();
        var resolvedFor = $"{target.Name}, includes/excludes resolved for {options.Caps.Describe()} and kernel {options.Kernel}";
        text.Append(CultureInfo.InvariantCulture, $"# systemd drop-in made by sandboxrun export from {profile.Source} ({resolvedFor}).\n");
        text.Append("# Install as /etc/systemd/system/UNIT.service.d/seccomp.conf, then: systemctl daemon-reload\n");
        if (reasons.Count > 0)
        {
            text.Append("# SystemCallFilter= cannot say what this profile says:\n");
            foreach (var reason in reasons)
            {
                text.Append("#   ").Append(reason).Append('\n');
            }
            text.Append("# so sandboxrun installs the profile itself and execs the program (same PID).\n");
            if (request.Command.Count == 0)
            {
                text.Append("# Replace /path/to/program with the service's command line.\n");
            }
            text.Append("[Service]\nExecStart=\n");
            var words = new List<string> { request.Binary, "run", "--profile", request.ProfileArgument };
            words.AddRange(request.RunOptions);
            words.Add("--");
            words.AddRange(request.Command.Count > 0 ? request.Command : ["/path/to/program"]);
            text.Append("ExecStart=").Append(string.Join(' ', words.Select(Quote))).Append('\n');
            return text.ToString();
        }

        text.Append("# systemd builds this filter with its own libseccomp: names that library does not know are\n");
        text.Append("# skipped with a warning, and runc's ENOSYS stub (numbers above the profile's highest\n");
        text.Append("# syscall) has no counterpart here.\n");
        text.Append("[Service]\n");
        var arches = PolicyResolver.ListedArches(profile, target);
        text.Append("SystemCallArchitectures=").Append(arches.Count == 0 ? "native" : string.Join(' ', arches.Select(SystemdArch))).Append('\n');
        var entries = new List<string>();
        if (allowList)
        {
            if (profile.DefaultAction.Kind == ActionKind.Errno)
            {
                text.Append("SystemCallErrorNumber=").Append(ErrnoNames.Describe(profile.DefaultAction.Data)).Append('\n');
            }
            entries.AddRange(kept.SelectMany(r => r.Names).Distinct(StringComparer.Ordinal));
        }
        else
        {
            // First unconditional rule wins (libseccomp); later ones for the same name do not count.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rule in kept)
            {
                foreach (var name in rule.Names.Where(seen.Add))
                {
                    entries.Add(rule.Action.Kind == ActionKind.Errno ? $"~{name}:{ErrnoNames.Describe(rule.Action.Data)}" : "~" + name);
                }
            }
        }
        foreach (var chunk in entries.Chunk(8))
        {
            // A deny-list line starts with ~ once; systemd reads "~a b:EPERM" as a list.
            var line = allowList ? string.Join(' ', chunk) : "~" + string.Join(' ', chunk.Select(e => e.TrimStart('~')));
            text.Append("SystemCallFilter=").Append(line).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// A word of an ExecStart= line (systemd.service(5) "Command lines"): double quotes when it
    /// has spaces, quotes or backslashes; % and $ doubled, as systemd expands both.
    /// </summary>
    internal static string Quote(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        if (escaped.Length > 0 && escaped.All(c => !char.IsWhiteSpace(c) && c is not ('"' or '\'' or '\\' or ';')))
        {
            return escaped;
        }
        return "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
