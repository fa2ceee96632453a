using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// Profile × machine → <see cref="FilterPolicy"/>, doing what Docker's engine does between
/// the JSON and libseccomp:
/// <list type="number">
/// <item>moby (profiles/seccomp): pick the arches (archMap entry of the main arch, or the
/// flat list), drop rules by <c>excludes</c> then <c>includes</c> (arches against the Go
/// arch name, caps against the capability set, minKernel against the kernel);</item>
/// <item>runc (libcontainer/seccomp): one rule per name, skip rules whose action equals
/// the default, skip names libseccomp cannot resolve, split a rule that names one
/// argument index twice into one rule per condition;</item>
/// <item>libseccomp: resolve the name per arch (skipped where the arch lacks it), add the
/// socketcall/ipc form on x86, merge the rules of each syscall (<see cref="SyscallPolicy"/>).</item>
/// </list>
/// Arches of the profile that belong to another machine are left out: their arch values
/// never reach this machine's filter, so they would not change a single decision.
/// </summary>
internal static class PolicyResolver
{
    internal static FilterPolicy Resolve(Profile profile, TargetArch target, ResolveOptions options)
    {
        var notes = new List<RuleNote>();
        var listed = ListedArches(profile, target);
        var arches = new List<Arch.Arch>(1 + target.SubArches.Count) { target.Main };
        foreach (var sub in target.SubArches)
        {
            if (listed.Contains(sub))
            {
                arches.Add(sub);
            }
        }

        // moby: includes/excludes.
        var kept = new List<SyscallRule>();
        foreach (var rule in profile.Syscalls)
        {
            if (ExclusionReason(rule, target, options) is { } reason)
            {
                notes.Add(new RuleNote(rule, null, null, reason));
            }
            else
            {
                kept.Add(rule);
            }
        }

        // runc + libseccomp: per arch, the rules of each syscall in the order they are added.
        var perArch = new ArchRules[arches.Count];
        for (var a = 0; a < arches.Count; a++)
        {
            perArch[a] = new ArchRules(arches[a]);
        }
        // Each name is looked up once per arch: for the rules, and for runc's stub boundary,
        // which counts every name of every kept rule, whatever its action.
        var numbers = new uint?[perArch.Length];
        foreach (var rule in kept)
        {
            var ruleSets = RuncRuleSets(rule);
            foreach (var name in rule.Names)
            {
                var anywhere = false;
                for (var a = 0; a < perArch.Length; a++)
                {
                    numbers[a] = perArch[a].Arch.TryGetNumber(name, out var n) ? n : null;
                    if (numbers[a] is { } number && (perArch[a].Highest is not { } highest || number > highest))
                    {
                        perArch[a].Highest = number;
                    }
                    anywhere |= numbers[a] is not null;
                }
                if (rule.Action == profile.DefaultAction)
                {
                    notes.Add(new RuleNote(rule, name, null, $"its action is the default action {profile.DefaultAction} (runc skips it)"));
                    continue;
                }
                if (!anywhere && !Arch.Arch.KnownAnywhere(name))
                {
                    notes.Add(new RuleNote(rule, name, null, $"\"{name}\" is not a syscall on any arch sandboxrun knows (Linux {SyscallTables.KernelVersion}); skipped, as runc does"));
                    continue;
                }
                // One rule object per condition set, shared by every arch it goes to, each
                // in an array of one: the rule list of every syscall it alone names.
                var named = new ArchRule[ruleSets.Count][];
                for (var i = 0; i < named.Length; i++)
                {
                    var (conditions, split) = ruleSets[i];
                    named[i] = [new ArchRule(rule.Action, conditions, new RuleOrigin(rule, name, split))];
                }
                for (var a = 0; a < perArch.Length; a++)
                {
                    if (!AddRules(perArch[a], name, numbers[a], named))
                    {
                        notes.Add(RuleNote.Absent(rule, name, perArch[a].Arch));
                    }
                }
            }
        }

        var stubArches = StubArches(profile, options, listed, target);
        var archPolicies = new List<ArchPolicy>(arches.Count);
        foreach (var rules in perArch)
        {
            var arch = rules.Arch;
            var syscalls = new List<SyscallPolicy>(rules.Count);
            for (var i = 0; i < rules.Slots.Length; i++)
            {
                var slot = rules.Slots[i];
                if (slot.Rules is null)
                {
                    continue;
                }
                var number = arch.Numbers[i];
                SeccompAction? unconditional = slot.Rules[0].Action;
                DecisionLevel? tree = null;
                if (slot.Tree is { } merged)
                {
                    unconditional = merged.Unconditional;
                    tree = merged.Freeze();
                }
                syscalls.Add(new SyscallPolicy(number, DirectName(slot.Rules) ?? arch.NameOf(number) ?? $"nr {number}", arch.Is64Bit, slot.Rules, unconditional, tree));
            }
            // runc patchbpf findLastSyscalls: the highest number, on this arch, of any name of
            // any rule that survived moby's filtering; no stub for the arch without one.
            uint? enosysAbove = options.Enosys == EnosysMode.Runc && stubArches.Contains(arch) && rules.Highest is not (null or 0) ? rules.Highest : null;
            archPolicies.Add(new ArchPolicy(arch, syscalls, enosysAbove));
        }
        return new FilterPolicy(profile, target, profile.DefaultAction, archPolicies, options.Enosys, options, notes);
    }

    /// <summary>
    /// The arches the profile lists for this machine. moby: with archMap, only the entry
    /// whose architecture is the main arch counts, with its subArchitectures; with the flat
    /// list, every entry is handed to runc (the ones of other machines are dropped here).
    /// </summary>
    internal static IReadOnlyList<Arch.Arch> ListedArches(Profile profile, TargetArch target)
    {
        var listed = new List<Arch.Arch>();
        if (profile.ArchMap.Count > 0)
        {
            foreach (var entry in profile.ArchMap)
            {
                if (entry.Architecture == target.Main.ScmpName)
                {
                    AddListed(listed, entry.Architecture, target);
                    foreach (var sub in entry.SubArchitectures)
                    {
                        AddListed(listed, sub, target);
                    }
                }
            }
        }
        else
        {
            foreach (var name in profile.Architectures)
            {
                AddListed(listed, name, target);
            }
        }
        return listed;
    }

    private static void AddListed(List<Arch.Arch> listed, string scmpName, TargetArch target)
    {
        var arch = scmpName == "SCMP_ARCH_NATIVE" ? target.Main : null;
        foreach (var a in Arch.Arch.All)
        {
            arch ??= a.ScmpName == scmpName ? a : null;
        }
        if (arch is not null && target.Owns(arch) && !listed.Contains(arch))
        {
            listed.Add(arch);
        }
    }

    /// <summary>moby's includes/excludes test; null when the rule is kept.</summary>
    internal static string? ExclusionReason(SyscallRule rule, TargetArch target, ResolveOptions options)
    {
        var ex = rule.Excludes;
        if (ex.Arches.Contains(target.GoName))
        {
            return $"excludes.arches names {target.GoName}";
        }
        foreach (var cap in ex.Caps)
        {
            if (options.Caps.Has(cap))
            {
                return $"excludes.caps: the capability set holds {cap}";
            }
        }
        if (ex.MinKernel is { } exKernel && options.Kernel >= exKernel)
        {
            return $"excludes.minKernel {exKernel}: the kernel is {options.Kernel}";
        }
        var inc = rule.Includes;
        if (inc.Arches.Count > 0 && !inc.Arches.Contains(target.GoName))
        {
            return $"includes.arches [{string.Join(", ", inc.Arches)}] does not name {target.GoName}";
        }
        foreach (var cap in inc.Caps)
        {
            if (!options.Caps.Has(cap))
            {
                return $"includes.caps: the capability set lacks {cap}";
            }
        }
        if (inc.MinKernel is { } incKernel && options.Kernel < incKernel)
        {
            return $"includes.minKernel {incKernel}: the kernel is {options.Kernel}";
        }
        return null;
    }

    /// <summary>The rules of one ABI while they are added: real syscalls, and libseccomp's pseudo entries.</summary>
    private sealed class ArchRules(Arch.Arch arch)
    {
        internal Arch.Arch Arch { get; } = arch;

        /// <summary>The lowest number of the ABI: a rule's number is one of its table's.</summary>
        /// <summary>The rules of each syscall, at its number's place in the ABI's table (<see cref="Arch.Arch.IndexOf"/>).</summary>
        internal Slot[] Slots { get; } = new Slot[arch.Numbers.Length];

        /// <summary>How many numbers have rules.</summary>
        internal int Count { get; set; }

        /// <summary>The highest number of any name of a kept rule (runc's stub boundary), null when none.</summary>
        internal uint? Highest { get; set; }

        /// <summary>
        /// Names the ABI lacks: libseccomp stores them as pseudo syscalls that never reach the
        /// program but still refuse a conflicting rule.
        /// </summary>
        internal Dictionary<string, RuleTree> Pseudo { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// runc: a rule that names an argument index twice cannot be one libseccomp rule (it
    /// refuses two conditions on one argument), so each condition becomes its own rule.
    /// </summary>
    private static List<(IReadOnlyList<ArgCondition> Conditions, int? Split)> RuncRuleSets(SyscallRule rule)
    {
        var seen = 0;
        var sameIndexTwice = false;
        foreach (var a in rule.Args)
        {
            sameIndexTwice |= (seen & (1 << a.Index)) != 0;
            seen |= 1 << a.Index;
        }
        return sameIndexTwice
            ? rule.Args.Select((c, i) => ((IReadOnlyList<ArgCondition>)[c], (int?)i)).ToList()
            : [(rule.Args, null)];
    }

    /// <summary>
    /// Adds the rules of one JSON rule and name to an arch, as runc's matchCall and
    /// libseccomp's rule API do. False when the arch has no such syscall.
    /// </summary>
    private static bool AddRules(ArchRules target, string name, uint? directNumber, ArchRule[][] named)
    {
        var arch = target.Arch;
        var direct = directNumber is not null;
        var number = directNumber.GetValueOrDefault();
        var mux = arch == Arch.Arch.X86 ? X86Multiplexer.Find(name) : null;
        foreach (var one in named)
        {
            var rule = one[0];
            // libseccomp (x86): the multiplexed rule first, its a0 replaced by the call number.
            if (mux is { } m)
            {
                var muxConditions = new List<ArgCondition>(rule.Conditions.Count + 1) { new(0, CompareOp.Equal, m.Call, 0) };
                foreach (var c in rule.Conditions)
                {
                    if (c.Index != 0)
                    {
                        muxConditions.Add(c);
                    }
                }
                Add(target, m.Syscall, null, [rule with { Conditions = muxConditions, Origin = rule.Origin with { Multiplexer = m.Name } }]);
            }
            if (direct)
            {
                Add(target, number, null, one);
            }
            else if (arch != Arch.Arch.X86 || mux is not null)
            {
                // A pseudo entry: on x86 only the multiplexed names without a direct call get one.
                Add(target, null, name, one);
            }
        }
        return direct || mux is not null;
    }

    /// <summary>
    /// The syscall's name as a rule gave it (the profile's own string, which equals the
    /// table's); null when every rule came through the x86 multiplexer.
    /// </summary>
    private static string? DirectName(IReadOnlyList<ArchRule> rules)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Origin.Multiplexer is null)
            {
                return rules[i].Origin.Name;
            }
        }
        return null;
    }

    /// <summary>
    /// The rules of one syscall number in the order they are added, and their merged tree.
    /// Most syscalls get one unconditional rule: its array of one (shared with the other
    /// arches) and no tree. A tree is made when a rule has conditions or a second comes.
    /// </summary>
    private struct Slot
    {
        internal IReadOnlyList<ArchRule>? Rules;
        internal RuleTree? Tree;
    }

    /// <summary>Adds a rule (<paramref name="one"/>: the rule, alone in an array) to a syscall number or to a pseudo entry.</summary>
    private static void Add(ArchRules target, uint? number, string? pseudo, ArchRule[] one)
    {
        var rule = one[0];
        RuleTree tree;
        if (number is { } n)
        {
            ref var slot = ref target.Slots[target.Arch.IndexOf(n)];
            if (slot.Rules is null)
            {
                target.Count++;
                slot.Rules = one;
                if (rule.Conditions.Count == 0)
                {
                    return; // into an empty tree, an unconditional rule only sets its action
                }
                tree = slot.Tree = RuleTree.Empty(target.Arch.Is64Bit);
            }
            else
            {
                if (slot.Tree is null)
                {
                    // The first rule went in without a tree: merge it now, as it came first.
                    var first = slot.Rules[0];
                    slot.Tree = RuleTree.Empty(target.Arch.Is64Bit);
                    slot.Tree.Add(first.Action, first.Conditions);
                }
                if (slot.Rules is not List<ArchRule> list)
                {
                    list = new List<ArchRule>(2) { slot.Rules[0] };
                    slot.Rules = list;
                }
                list.Add(rule);
                tree = slot.Tree;
            }
        }
        else if (!target.Pseudo.TryGetValue(pseudo!, out tree!))
        {
            target.Pseudo[pseudo!] = tree = RuleTree.Empty(target.Arch.Is64Bit);
        }
        var rc = tree.Add(rule.Action, rule.Conditions);
        if (rc == RuleTree.ELOOP)
        {
            throw new PolicyException(
                $"{rule.Origin.Rule.Path} ({rule.Origin.Name}): libseccomp 2.5.4 never finishes merging this rule with an earlier one for the same syscall on {target.Arch.Name} (it loops), so Docker would hang starting the container; rewrite the conditions");
        }
        if (rc == RuleTree.EEXIST)
        {
            var what = number is { } nr ? $"{target.Arch.NameOf(nr) ?? $"nr {nr}"} on {target.Arch.Name}" : $"{pseudo} (absent on {target.Arch.Name})";
            throw new PolicyException(
                $"{rule.Origin.Rule.Path} ({rule.Origin.Name}): an earlier rule gives {what} the same conditions with another action; libseccomp refuses the rule (EEXIST), so Docker would fail to start the container");
        }
    }

    /// <summary>
    /// The arches that get an ENOSYS boundary. runc's stub covers the arches the profile
    /// lists (not the main arch when it is absent from the list), and never a permissive
    /// default (ALLOW, LOG, TRACE). <c>--enosys known</c> covers every arch of the filter.
    /// </summary>
    private static IReadOnlyList<Arch.Arch> StubArches(Profile profile, ResolveOptions options, IReadOnlyList<Arch.Arch> listed, TargetArch target) =>
        options.Enosys switch
        {
            _ when profile.DefaultAction.IsPermissiveDefault => [],
            EnosysMode.Runc => listed,
            EnosysMode.Known => [.. target.AllArches],
            _ => [],
        };
}
