using System.Globalization;
using System.Text.RegularExpressions;
using SandboxRun.Arch;

namespace SandboxRun.Recording;

/// <summary>
/// The syscalls a program made, read from strace's output: <c>strace -f</c> (with
/// <c>[pid N]</c> prefixes on stderr, or <c>N  </c> prefixes with <c>-o</c>), the per-process
/// files of <c>strace -ff -o PREFIX</c>, and the tables of <c>strace -c</c>. Handles
/// timestamps (<c>-t</c>, <c>-tt</c>, <c>-ttt</c>, <c>-r</c>), <c>&lt;unfinished ...&gt;</c> /
/// <c>&lt;... NAME resumed&gt;</c> pairs, signal and exit lines, <c>-k</c> stack lines,
/// personality changes (<c>[ Process PID=N runs in 32 bit mode. ]</c>: that process's later
/// calls are the compat ABI's) and calls strace prints by number (<c>syscall_0x1c3(</c>).
/// </summary>
internal sealed partial class StraceLog
{
    private readonly TargetArch _target;
    private readonly Dictionary<Arch.Arch, SortedSet<string>> _used = [];
    private readonly Dictionary<string, Arch.Arch> _abiOfPid = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly List<string> _unparsed = [];
    private int _unparsedCount;

    internal StraceLog(TargetArch target) => _target = target;

    /// <summary>The names used, per ABI (the native one first), each set sorted.</summary>
    internal IReadOnlyDictionary<Arch.Arch, SortedSet<string>> Used => _used;

    /// <summary>Syscall lines read.</summary>
    internal int Calls { get; private set; }

    private bool _sawExecve;
    private bool _sawSummary; // a strace -c table
    private bool _sawTrace; // calls one by one (-f, -ff, or neither)

    /// <summary>Problems found, each with its location.</summary>
    internal IReadOnlyList<string> Warnings
    {
        get
        {
            var all = new List<string>(_warnings);
            if (_unparsedCount > 0)
            {
                var more = _unparsedCount > _unparsed.Count ? $" (and {_unparsedCount - _unparsed.Count} more)" : "";
                all.Add($"{_unparsedCount} line(s) are not strace output and were skipped: {string.Join("; ", _unparsed)}{more}");
            }
            return all;
        }
    }

    /// <summary>
    /// After the last input: adds what the program needs and the log cannot show, each with a
    /// warning, and returns the names per ABI.
    /// </summary>
    internal IReadOnlyDictionary<Arch.Arch, SortedSet<string>> Complete()
    {
        if (!_sawExecve)
        {
            // sandboxrun (and any runtime) starts the program with execve under the filter.
            _warnings.Add("no execve in the log (strace -p attaches after it): execve added, the program cannot start without it; calls made before strace attached are missing");
            Names(_target.Main).Add("execve");
        }
        if (_sawSummary && !_sawTrace)
        {
            // strace -c counts a call when it returns: exit and exit_group never do. libc's
            // _exit calls exit_group, then exit in a loop: denying both hangs the program.
            _warnings.Add("strace -c does not count calls that never return: exit and exit_group added");
            foreach (var set in _used.Values)
            {
                set.Add("exit");
                set.Add("exit_group");
            }
        }
        if (_used.Values.Any(s => s.Contains("io_uring_setup")))
        {
            _warnings.Add("the program uses io_uring: what it submits through the ring (openat, read, connect, ...) is neither a syscall nor in the log");
        }
        return _used;
    }

    private SortedSet<string> Names(Arch.Arch abi)
    {
        if (!_used.TryGetValue(abi, out var names))
        {
            _used[abi] = names = new SortedSet<string>(StringComparer.Ordinal);
        }
        return names;
    }

    /// <summary>
    /// Reads one strace output. <paramref name="pid"/> is the process of a <c>-ff</c> file
    /// (its name's suffix); null for the other forms, whose lines carry their pid, if any.
    /// </summary>
    internal void Read(string source, TextReader reader, string? pid)
    {
        var summaryAbi = (Arch.Arch?)null;
        var inSummary = false;
        var lineNumber = 0;
        string? line;
        var cut = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            cut = false;
            var where = $"{source}:{lineNumber.ToString(CultureInfo.InvariantCulture)}";
            if (line.Length == 0 || line.StartsWith(" > ", StringComparison.Ordinal) || line.StartsWith("strace: ", StringComparison.Ordinal))
            {
                continue; // blank, -k stack frames, strace's own messages ("Process N attached")
            }

            // strace -c: a table per personality, between its header and its "total" row.
            if (SummaryHeader().IsMatch(line))
            {
                inSummary = true;
                _sawSummary = true;
                continue;
            }
            if (SummaryMode().Match(line) is { Success: true } mode)
            {
                summaryAbi = AbiOfMode(mode.Groups[1].Value);
                continue;
            }
            if (inSummary)
            {
                if (line.StartsWith("------", StringComparison.Ordinal))
                {
                    continue;
                }
                if (SummaryRow().Match(line) is { Success: true } row)
                {
                    var name = row.Groups[1].Value;
                    if (name == "total")
                    {
                        inSummary = false;
                    }
                    else
                    {
                        Use(summaryAbi ?? _target.Main, name, where);
                    }
                    continue;
                }
                inSummary = false;
            }

            // strace -f / -ff: [pid N] or "N  " prefix, timestamp, then the event.
            var rest = line.AsSpan();
            var linePid = pid;
            if (PidPrefix().Match(line) is { Success: true } p)
            {
                linePid = p.Groups[1].Success ? p.Groups[1].Value : p.Groups[2].Value;
                rest = rest[p.Length..];
            }
            if (Timestamp().Match(rest.ToString()) is { Success: true } t)
            {
                rest = rest[t.Length..];
            }
            var text = rest.ToString();
            if (text.StartsWith("--- ", StringComparison.Ordinal) || text.StartsWith("+++ ", StringComparison.Ordinal))
            {
                continue; // a signal delivered, or the process ended
            }
            if (Personality().Match(text) is { Success: true } personality)
            {
                _abiOfPid[personality.Groups[1].Value] = AbiOfMode(personality.Groups[2].Value);
                continue;
            }
            var abi = linePid is not null && _abiOfPid.TryGetValue(linePid, out var a) ? a : _target.Main;
            if (Resumed().Match(text) is { Success: true } resumed)
            {
                _sawTrace = true;
                Use(abi, resumed.Groups[1].Value, where);
                continue;
            }
            if (Call().Match(text) is { Success: true } call)
            {
                // A call without its result that is not marked unfinished: the log was cut here.
                cut = !text.Contains(" = ", StringComparison.Ordinal) && !text.EndsWith("<unfinished ...>", StringComparison.Ordinal);
                _sawTrace = true;
                Use(abi, call.Groups[1].Value, where);
                continue;
            }
            if (_unparsed.Count < 3)
            {
                _unparsed.Add($"{where}: \"{Shorten(line)}\"");
            }
            _unparsedCount++;
        }
        if (cut)
        {
            _warnings.Add($"{source}:{lineNumber.ToString(CultureInfo.InvariantCulture)}: the log ends inside a line: was strace stopped before the program ended? Calls after it are missing");
        }
    }

    private void Use(Arch.Arch abi, string name, string where)
    {
        if (NumberedCall().Match(name) is { Success: true } numbered)
        {
            var digits = numbered.Groups[1].Value;
            var number = digits.StartsWith("0x", StringComparison.Ordinal)
                ? uint.Parse(digits.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : uint.Parse(digits, CultureInfo.InvariantCulture);
            if (abi.NameOf(number) is { } known)
            {
                name = known;
            }
            else
            {
                _warnings.Add($"{where}: strace shows syscall number {number} of {abi.Name}, which sandboxrun's table (Linux {SyscallTables.KernelVersion}) does not name; a Docker-format profile can only name it, so it is left out");
                return;
            }
        }
        if (name.StartsWith("ARM_", StringComparison.Ordinal))
        {
            name = name["ARM_".Length..]; // the kernel's (and libseccomp's) name: set_tls
        }
        if (!abi.Knows(name))
        {
            _warnings.Add($"{where}: \"{name}\" is not a syscall of {abi.Name} in sandboxrun's table (Linux {SyscallTables.KernelVersion}); left out");
            return;
        }
        Calls++;
        _sawExecve |= name is "execve" or "execveat";
        Names(abi).Add(name);
    }

    private Arch.Arch AbiOfMode(string mode) =>
        mode switch
        {
            "x32" => Arch.Arch.X32,
            "32 bit" => _target.SubArches.FirstOrDefault(a => !a.Is64Bit && a != Arch.Arch.X32) ?? _target.Main,
            _ => _target.Main,
        };

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";

    // "[pid  1234] " (strace -f to stderr) or "1234  " (strace -f -o FILE).
    [GeneratedRegex(@"^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)")]
    private static partial Regex PidPrefix();

    // -t "10:11:12 ", -tt "10:11:12.123456 ", -ttt "1700000000.123456 ", -r "     0.000123 ".
    [GeneratedRegex(@"^\s*(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?|\d+\.\d+)\s+")]
    private static partial Regex Timestamp();

    // strace spells the ARM-private calls ARM_set_tls, ARM_cacheflush, ...
    [GeneratedRegex(@"^((?:ARM_)?[a-z_][a-z0-9_]*)\(")]
    private static partial Regex Call();

    [GeneratedRegex(@"^<\.\.\. ((?:ARM_)?[a-z_][a-z0-9_]*) resumed>")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"^syscall_(0x[0-9a-f]+|\d+)$")]
    private static partial Regex NumberedCall();

    [GeneratedRegex(@"^\[ Process PID=(\d+) runs in (64 bit|32 bit|x32) mode\. \]$")]
    private static partial Regex Personality();

    [GeneratedRegex(@"^% time\s+seconds\s+usecs/call\s+calls\s+errors\s+syscall\s*$")]
    private static partial Regex SummaryHeader();

    [GeneratedRegex(@"^System call usage summary for (64 bit|32 bit|x32) mode:$")]
    private static partial Regex SummaryMode();

    // "  7.03    0.001622          23        69        29 openat" (errors may be blank).
    [GeneratedRegex(@"^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+(?:\d+\s+)?([a-z_][a-z0-9_]*)\s*$")]
    private static partial Regex SummaryRow();
}
