using System.Globalization;
using System.Text.Json;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Lint;

/// <summary>
/// The checks of <c>sandboxrun lint</c>: what the reader finds (unknown fields, misspelled
/// names, with did-you-mean), then, on a readable profile, the mistakes that Docker lets
/// pass: names no arch knows or aarch64 lacks, runc's same-index split, rules that cannot
/// matter, conflicts Docker refuses, argument-width bypasses, what the profile allows that
/// Docker's default denies, errnos libc cannot fall back on, KILL_THREAD, TRACE and NOTIFY
/// without their counterpart.
/// </summary>
internal static class Linter
{
    /// <summary>The findings, and whether the profile could be read at all.</summary>
    internal sealed record Result(IReadOnlyList<Finding> Findings, bool Readable);

    /// <summary>Syscalls whose callers in libc fall back to an older call on ENOSYS, and on nothing else.</summary>
    private static readonly (string Name, string Fallback)[] NeedEnosys =
    [
        ("clone3", "glibc 2.34+ (pthread_create, posix_spawn, fork) falls back to clone"),
        ("faccessat2", "glibc 2.33+ faccessat with flags falls back to faccessat"),
        ("close_range", "glibc closefrom and posix_spawn fall back to closing by /proc/self/fd"),
        ("fchmodat2", "glibc 2.39+ fchmodat(AT_SYMLINK_NOFOLLOW) falls back to its O_PATH path"),
    ];

    /// <summary>
    /// Syscalls of arches sandboxrun has no table for, which Docker's and Podman's profiles
    /// name (libseccomp's names, src/syscalls.csv): not typos.
    /// </summary>
    private static readonly HashSet<string> OtherArchNames = new(StringComparer.Ordinal)
    {
        "riscv_hwprobe", "riscv_flush_icache", "s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
        "s390_guarded_storage", "s390_sthyi", "sync_file_range2", "swapcontext", "spu_run", "spu_create",
        "subpage_prot", "sys_debug_setcontext", "switch_endian", "cacheflush", "sysmips", "rtas", "multiplexer",
        "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "set_tls", "usr26", "usr32", "pciconfig_iobase",
        "pciconfig_read", "pciconfig_write", "sys_kexec_load", "kern_features", "sysriscv",
    };

    /// <param name="machine">
    /// The machine the comparisons with Docker's default are made for; null: x86_64, or
    /// aarch64 for a profile that lists only aarch64's arches.
    /// </param>
    internal static Result Lint(string source, ReadOnlyMemory<byte> utf8, ResolveOptions options, TargetArch? machine = null)
    {
        Profile profile;
        try
        {
            profile = ProfileReader.Read(source, utf8);
        }
        catch (ProfileException e)
        {
            return new Result(e.Problems.Select(p => FromMessage(Severity.Error, "invalid", source, p)).ToList(), false);
        }
        var findings = profile.Warnings.Select(w => FromMessage(Severity.Warning, ReaderCode(w), source, w)).ToList();
        var namePaths = NamePaths(utf8);
        findings.AddRange(Names(profile, namePaths));
        findings.AddRange(SameIndex(profile));
        findings.AddRange(NeverMatters(profile));
        findings.AddRange(Conflicts(profile, options));
        findings.AddRange(ArgumentWidth(profile));
        var target = machine ?? MachineOf(profile);
        FilterPolicy? policy = null;
        try
        {
            policy = PolicyResolver.Resolve(profile, target, options);
        }
        catch (PolicyException)
        {
            // reported as a conflict
        }
        if (policy is not null)
        {
            findings.AddRange(WeakerThanDocker(profile, policy, options));
            findings.AddRange(Enosys(policy));
        }
        findings.AddRange(Actions(profile));
        return new Result(findings, true);
    }

    // ---- messages of the reader and the resolver ---------------------------------------

    /// <summary>
    /// "source: path: message" → a finding. The path is the text before the first ": " when
    /// it looks like a JSON path (letters, digits, _, . and [n]); the did-you-mean word, when
    /// the message has one, is the fix. (Plain string work: System.Text.RegularExpressions
    /// would add half a megabyte to the AOT binary.)
    /// </summary>
    private static Finding FromMessage(Severity severity, string code, string source, string text)
    {
        var rest = text.StartsWith(source + ": ", StringComparison.Ordinal) ? text[(source.Length + 2)..] : text;
        var colon = rest.IndexOf(": ", StringComparison.Ordinal);
        var isPath = colon > 0 && char.IsAsciiLetter(rest[0]) && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '[' or ']');
        var (path, message) = isPath ? (rest[..colon], rest[(colon + 2)..]) : ("", rest);
        const string Hint = "(did you mean ";
        var at = message.IndexOf(Hint, StringComparison.Ordinal);
        var end = at < 0 ? -1 : message.IndexOf("?)", at, StringComparison.Ordinal);
        return new Finding(severity, code, path, message, end > at && at >= 0 ? message[(at + Hint.Length)..end] : null);
    }

    private static string ReaderCode(string warning) =>
        warning.Contains("unknown field", StringComparison.Ordinal) ? "unknown-field"
        : warning.Contains("unknown capability", StringComparison.Ordinal) ? "unknown-cap"
        : "profile";

    /// <summary>For each rule, whether it names its syscalls with "name" (the old form) or "names".</summary>
    private static Dictionary<int, string> NamePaths(ReadOnlyMemory<byte> utf8)
    {
        var paths = new Dictionary<int, string>();
        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 10000 });
            foreach (var top in doc.RootElement.EnumerateObject().Where(p => p.Name.Equals("syscalls", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Array))
            {
                var i = 0;
                foreach (var rule in top.Value.EnumerateArray())
                {
                    if (rule.ValueKind == JsonValueKind.Object && rule.EnumerateObject().Any(p => p.Name.Equals("name", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Length > 0))
                    {
                        paths[i] = "name";
                    }
                    i++;
                }
            }
        }
        catch (JsonException)
        {
            // The reader read it; a path is a nicety.
        }
        return paths;
    }

    // ---- names ---------------------------------------------------------------------

    private static IEnumerable<Finding> Names(Profile profile, Dictionary<int, string> namePaths)
    {
        var known = new Lazy<List<string>>(() => Arch.Arch.All.SelectMany(a => a.Table.Select(e => e.Name)).Distinct().ToList());
        var named = profile.Syscalls.SelectMany(r => r.Names).ToHashSet(StringComparer.Ordinal);
        var onAarch64 = CoversAarch64(profile);
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rule in profile.Syscalls)
        {
            for (var i = 0; i < rule.Names.Count; i++)
            {
                var name = rule.Names[i];
                var path = namePaths.ContainsKey(rule.Position) ? $"{rule.Path}.name" : $"{rule.Path}.names[{i}]";
                if (!Arch.Arch.KnownAnywhere(name) && !OtherArchNames.Contains(name))
                {
                    var hint = DidYouMean.Suggest(name, known.Value);
                    yield return new Finding(Severity.Warning, "unknown-syscall", path,
                        $"\"{name}\" is a syscall on none of x86_64, x86, x32, aarch64, arm (Linux {SyscallTables.KernelVersion}) nor a known name of another arch: Docker skips it in silence{(hint is null ? "" : $" (did you mean {hint}?)")}", hint);
                    continue;
                }
                if (!onAarch64 || !Arch.Arch.X86_64.Knows(name) || Arch.Arch.Aarch64.Knows(name))
                {
                    continue;
                }
                if (Aarch64Names.InsteadOf(name) is { } instead && !named.Contains(instead))
                {
                    yield return new Finding(Severity.Warning, "missing-on-aarch64", path,
                        $"\"{name}\" does not exist on aarch64, where libc calls {instead} instead, which the profile does not name: the program fails there", $"add \"{instead}\" beside \"{name}\"");
                }
                else
                {
                    skipped.Add(name);
                }
            }
        }
        if (skipped.Count > 0)
        {
            yield return new Finding(Severity.Info, "missing-on-aarch64", "syscalls",
                $"{skipped.Count} names do not exist on aarch64 and are skipped there (their aarch64 counterparts are named, or there are none): {string.Join(", ", skipped)}");
        }
    }

    /// <summary>Whether Docker on an arm64 machine would use the profile's rules for aarch64.</summary>
    private static bool CoversAarch64(Profile profile) =>
        profile.ArchMap.Count > 0
            ? profile.ArchMap.Any(e => e.Architecture == "SCMP_ARCH_AARCH64")
            : profile.Architectures.Count == 0 || profile.Architectures.Contains("SCMP_ARCH_AARCH64");

    // ---- runc's same-index split ------------------------------------------------------

    private static IEnumerable<Finding> SameIndex(Profile profile)
    {
        foreach (var rule in profile.Syscalls)
        {
            var repeated = rule.Args.GroupBy(a => a.Index).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count == 0)
            {
                continue;
            }
            var asWritten = string.Join(" && ", rule.Args);
            var split = string.Join(" || ", rule.Args.Select(a => $"{{{rule.Action} if {a}}}"));
            yield return new Finding(Severity.Warning, "same-index-or", $"{rule.Path}.args",
                $"the conditions name a{repeated[0]} more than once, so runc splits the rule into one rule per condition, ORed: not \"{asWritten}\" but {split}",
                "write the intended set as separate rules (one per alternative), or as one MASKED_EQ on the argument");
        }
    }

    // ---- rules that never matter ------------------------------------------------------

    private static IEnumerable<Finding> NeverMatters(Profile profile)
    {
        // The first unconditional rule for a name, among rules every configuration keeps.
        var decidedBy = new Dictionary<string, SyscallRule>(StringComparer.Ordinal);
        foreach (var rule in profile.Syscalls)
        {
            if (rule.Names.Count == 0)
            {
                continue;
            }
            if (rule.Action == profile.DefaultAction)
            {
                yield return new Finding(Severity.Warning, "same-as-default", $"{rule.Path}.action",
                    $"the action {rule.Action} is the default action: runc drops the rule, so it changes nothing", "remove the rule, or give it another action");
                continue;
            }
            var always = rule.Includes.IsEmpty && rule.Excludes.IsEmpty;
            foreach (var name in rule.Names)
            {
                if (decidedBy.TryGetValue(name, out var first))
                {
                    yield return new Finding(Severity.Warning, "shadowed", rule.Path,
                        $"\"{name}\" is already decided by {first.Path} ({first.Action}, unconditional): libseccomp keeps the first unconditional rule of a syscall, so this rule never decides it", $"remove \"{name}\" from one of the two rules");
                }
            }
            if (rule.Args.Count == 0 && always)
            {
                foreach (var name in rule.Names)
                {
                    decidedBy.TryAdd(name, rule);
                }
            }
        }
        // A conditional rule before an unconditional one: the unconditional one wins whatever the order.
        foreach (var rule in profile.Syscalls.Where(r => r.Args.Count > 0 && r.Action != profile.DefaultAction))
        {
            foreach (var name in rule.Names)
            {
                if (decidedBy.TryGetValue(name, out var later) && later.Position > rule.Position)
                {
                    yield return new Finding(Severity.Warning, "shadowed", rule.Path,
                        $"\"{name}\" has an unconditional rule, {later.Path} ({later.Action}), and libseccomp lets it win over every conditional rule whatever the order, so this rule never decides it", $"remove \"{name}\" from one of the two rules");
                }
            }
        }
    }

    // ---- conflicts Docker refuses -------------------------------------------------------

    private static IEnumerable<Finding> Conflicts(Profile profile, ResolveOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in TargetArch.All)
        {
            foreach (var caps in new[] { options.Caps, Capabilities.None, Capabilities.Full })
            {
                string? message = null;
                try
                {
                    PolicyResolver.Resolve(profile, target, options with { Caps = caps });
                }
                catch (PolicyException e)
                {
                    message = e.Message;
                }
                if (message is null)
                {
                    continue;
                }
                // One finding per rule, whichever machine or capability set showed it first.
                var path = message.StartsWith("syscalls[", StringComparison.Ordinal) ? message[..(message.IndexOf(']', StringComparison.Ordinal) + 1)] : "syscalls";
                if (seen.Add(path))
                {
                    yield return new Finding(Severity.Error, "conflict", path, message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..], "give the two rules different conditions, or drop one");
                }
            }
        }
    }

    // ---- argument width -------------------------------------------------------------------

    private static IEnumerable<Finding> ArgumentWidth(Profile profile)
    {
        var defaultPermits = profile.DefaultAction.Permits;
        foreach (var rule in profile.Syscalls)
        {
            var permits = rule.Action.Permits;
            if (permits == defaultPermits)
            {
                continue; // the rule changes nothing about whether the call runs
            }
            for (var i = 0; i < rule.Args.Count; i++)
            {
                var c = rule.Args[i];
                foreach (var name in rule.Names)
                {
                    if (ArgumentTypes.Find(name, c.Index) is not { Bits: 32 } type)
                    {
                        continue;
                    }
                    if (Bypass(c, permits, name) is not { } high)
                    {
                        continue;
                    }
                    var low = (uint)high;
                    var what = permits ? "lets through" : "misses";
                    var message = $"{c} is a 64-bit comparison, but {name}'s a{c.Index} ({type.Meaning}) is {(type.CType[0] is 'i' or 'u' ? "an" : "a")} {type.CType}: the kernel reads the low 32 bits. The rule {what} {name}(… 0x{high:x} …), which the kernel reads as {low}{ArgumentTypes.NameOf(name, c.Index, low)}";
                    yield return new Finding(Severity.Warning, "argument-width", $"{rule.Path}.args[{i}]", message, Fix(rule, c, name, type, permits));
                }
            }
        }
    }

    /// <summary>
    /// A value with high bits set on which the 64-bit condition and the kernel's 32-bit view
    /// disagree in the dangerous direction: an allow rule that holds where its low word would
    /// not; a deny rule that fails where its low word would hold. Null when there is none.
    /// </summary>
    private static ulong? Bypass(ArgCondition c, bool permits, string name)
    {
        var v = (uint)c.Value;
        // For a socket family, try AF_ALG (38) first: the family Docker's rules mean to keep out.
        uint[] first = name is "socket" or "socketpair" && c.Index == 0 ? [38u] : [];
        foreach (var y in first.Concat([v - 1, v, v + 1, 0u, (uint)c.ValueTwo, uint.MaxValue]))
        {
            foreach (var high in new[] { 1UL << 32, 0xFFFFFFFF00000000UL })
            {
                var x = high | y;
                // The kernel's view: the int, zero-extended (what a 32-bit compare of the low word sees).
                var asWritten = c.Matches(x);
                var asRead = c.Matches(y);
                if (permits ? asWritten && !asRead : !asWritten && asRead)
                {
                    return x;
                }
            }
        }
        return null;
    }

    private static string Fix(SyscallRule rule, ArgCondition c, string name, ArgumentTypes.ArgType type, bool permits)
    {
        var masked = $"{{\"index\": {c.Index}, \"value\": 4294967295, \"valueTwo\": V, \"op\": \"SCMP_CMP_MASKED_EQ\"}}";
        if (permits && type.Range is { } range && c.Op is CompareOp.GreaterThan or CompareOp.GreaterOrEqual or CompareOp.NotEqual or CompareOp.LessThan or CompareOp.LessOrEqual)
        {
            var allowed = new List<ulong>();
            for (var v = range.First; v <= range.Last; v++)
            {
                if (c.Matches(v))
                {
                    allowed.Add(v);
                }
            }
            var list = string.Join(", ", allowed.Select(v => v.ToString(CultureInfo.InvariantCulture) + ArgumentTypes.NameOf(name, c.Index, v)));
            return $"compare the low 32 bits only: replace {rule.Path} by one rule per allowed value, each with args [{masked}] for V in {list} (values of {type.Meaning} up to {range.Last} are all the kernel accepts)";
        }
        return $"compare the low 32 bits only: one rule per value, each with args [{masked}] (MASKED_EQ with mask 0xffffffff ignores the high bits, as the kernel does)";
    }

    // ---- weaker than Docker's default ------------------------------------------------------

    private static TargetArch MachineOf(Profile profile) =>
        PolicyResolver.ListedArches(profile, TargetArch.X86_64).Count == 0 && PolicyResolver.ListedArches(profile, TargetArch.Aarch64).Count > 0
            ? TargetArch.Aarch64
            : TargetArch.X86_64;

    private static IEnumerable<Finding> WeakerThanDocker(Profile profile, FilterPolicy mine, ResolveOptions options)
    {
        var target = mine.Target;
        var docker = PolicyResolver.Resolve(ProfileSource.Load("docker-default"), target, options);
        var weaker = new List<(string Name, Permission Mine, Permission Docker)>();
        foreach (var name in target.Main.Table.Select(e => e.Name).Concat(DockerReasons.Names).Distinct())
        {
            var abi = target.AllArches.FirstOrDefault(a => a.Knows(name) && mine.For(a) is not null);
            if (abi is null)
            {
                continue;
            }
            abi.TryGetNumber(name, out var nr);
            var m = PolicyEvaluator.Permits(mine, abi.AuditArch, nr);
            var d = docker.For(abi) is null ? Permission.None : PolicyEvaluator.Permits(docker, abi.AuditArch, nr);
            if (m > d)
            {
                weaker.Add((name, m, d));
            }
        }
        var scope = $"{target.Name}, {options.Caps.Describe()}";
        foreach (var (name, m, d) in weaker.Where(w => DockerReasons.Has(w.Name)))
        {
            var how = m == Permission.All ? "allows" : "allows, for some arguments,";
            var docker2 = d == Permission.None ? "denies" : "allows only for some arguments";
            yield return new Finding(Severity.Warning, "weaker-than-docker", PathOf(profile, name),
                $"{how} {name}, which Docker's default {docker2} ({scope}): {DockerReasons.For(name)}");
        }
        // The others Docker simply never put on its allow-list: one finding.
        var rest = weaker.Where(w => !DockerReasons.Has(w.Name)).Select(w => w.Name).ToList();
        if (rest.Count > 0)
        {
            yield return new Finding(Severity.Warning, "weaker-than-docker", rest.Select(n => PathOf(profile, n)).Distinct().Count() == 1 ? PathOf(profile, rest[0]) : "syscalls",
                $"allows {rest.Count} more syscalls that Docker's default leaves off its allow-list ({scope}): {string.Join(", ", rest)}");
        }
    }

    private static string PathOf(Profile profile, string name) =>
        profile.Syscalls.FirstOrDefault(r => r.Names.Contains(name) && r.Action.Permits) is { } rule ? rule.Path : "defaultAction";

    // ---- ENOSYS for new syscalls ----------------------------------------------------------

    private static IEnumerable<Finding> Enosys(FilterPolicy policy)
    {
        var abi = policy.Target.Main;
        foreach (var (name, fallback) in NeedEnosys)
        {
            if (!abi.TryGetNumber(name, out var nr))
            {
                continue;
            }
            var decision = PolicyEvaluator.Decide(policy, Bpf.SeccompData.Of(abi.AuditArch, nr));
            if (decision.Action.Permits || decision.Action == SeccompAction.Enosys || decision.Source == DecisionSource.ForeignArch)
            {
                continue;
            }
            var path = decision.Rule?.Origin.Rule.Path ?? "defaultAction";
            yield return new Finding(Severity.Warning, "needs-enosys", path,
                $"{name} gets {decision.Action}, but {fallback} only on ENOSYS: programs fail instead of falling back",
                $"add {{\"names\": [\"{name}\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}} (ENOSYS), as Docker's default does for clone3");
        }
    }

    // ---- actions that need something else -----------------------------------------------------

    private static IEnumerable<Finding> Actions(Profile profile)
    {
        var items = profile.Syscalls.Select(r => (Path: $"{r.Path}.action", r.Action)).Prepend(("defaultAction", profile.DefaultAction));
        foreach (var (path, action) in items)
        {
            switch (action.Kind)
            {
                case ActionKind.KillThread:
                    yield return new Finding(Severity.Warning, "kill-thread", path,
                        "SCMP_ACT_KILL (KILL_THREAD) kills only the calling thread: a multithreaded program goes on without it, often hanging on what that thread held",
                        "SCMP_ACT_KILL_PROCESS");
                    break;
                case ActionKind.Trace:
                    yield return new Finding(Severity.Warning, "trace-without-tracer", path,
                        "SCMP_ACT_TRACE needs a ptrace tracer that asked for PTRACE_O_TRACESECCOMP; without one the kernel fails the call with ENOSYS",
                        "SCMP_ACT_ERRNO, or run the program under its tracer");
                    break;
                case ActionKind.Notify when profile.ListenerPath is null:
                    yield return new Finding(Severity.Warning, "notify-without-listener", path,
                        "SCMP_ACT_NOTIFY without \"listenerPath\": no agent receives the notifications, so nothing would answer these calls",
                        "give \"listenerPath\" (the unix socket of a seccomp agent), or another action");
                    break;
            }
        }
    }
}
