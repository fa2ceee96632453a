using SandboxRun.Bpf;
using SandboxRun.Policy;

namespace SandboxRun.Recording;

/// <summary>
/// <c>record</c>: every call of every task under the filter is notified and let run; this
/// keeps the name of each (per ABI). With <c>--base</c>, a call is kept only when the base
/// profile would not let it run with the arguments it really had, so the merged profile
/// widens the base by exactly what the run needed.
/// </summary>
internal sealed class Recorder(FilterPolicy? basePolicy) : IWatcher
{
    private readonly Dictionary<Arch.Arch, SortedSet<string>> _names = [];
    private readonly HashSet<(uint Arch, uint Nr)> _seen = [];
    private readonly SortedSet<string> _unnamed = new(StringComparer.Ordinal);
    private bool _started;

    /// <summary>Names used, per ABI (only the ABIs that were used).</summary>
    internal IReadOnlyDictionary<Arch.Arch, SortedSet<string>> Names => _names;

    /// <summary>Numbers without a name in sandboxrun's tables ("x86_64 nr 1023"): no profile can name them.</summary>
    internal IReadOnlyCollection<string> Unnamed => _unnamed;

    internal TargetEnd? End { get; private set; }

    public Answer Handle(in Notification n, TargetMemory memory)
    {
        // The child's own calls before its execve belong to the hand-off of the listener
        // (sandboxrun_launch.c), not to the program: the record starts at that execve.
        if (!_started)
        {
            var abi0 = AbiOf(n.Data.Arch, n.Data.Nr);
            if (abi0?.NameOf(n.Data.Nr) is not ("execve" or "execveat"))
            {
                return Answer.Proceed;
            }
            _started = true;
        }
        // Without a base, a number once seen needs no more work.
        if (basePolicy is null && !_seen.Add((n.Data.Arch, n.Data.Nr)))
        {
            return Answer.Proceed;
        }
        if (basePolicy is not null && PolicyEvaluator.Decide(basePolicy, n.Data).Action.Permits)
        {
            return Answer.Proceed;
        }
        var abi = AbiOf(n.Data.Arch, n.Data.Nr);
        if (abi?.NameOf(n.Data.Nr) is { } name)
        {
            if (!_names.TryGetValue(abi, out var set))
            {
                _names[abi] = set = new SortedSet<string>(StringComparer.Ordinal);
            }
            set.Add(name);
        }
        else
        {
            _unnamed.Add($"{abi?.Name ?? $"arch 0x{n.Data.Arch:x}"} nr {n.Data.Nr}");
        }
        return Answer.Proceed;
    }

    public void Finish(TargetEnd end) => End = end;

    /// <summary>The ABI of a call: x32 by bit 30 under AUDIT_ARCH_X86_64, else by the arch value.</summary>
    internal static Arch.Arch? AbiOf(uint auditArch, uint nr)
    {
        if (auditArch == Arch.Arch.AUDIT_ARCH_X86_64)
        {
            return (nr & Arch.Arch.X32_SYSCALL_BIT) != 0 && nr != uint.MaxValue ? Arch.Arch.X32 : Arch.Arch.X86_64;
        }
        return Arch.Arch.All.FirstOrDefault(a => a.AuditArch == auditArch);
    }
}
