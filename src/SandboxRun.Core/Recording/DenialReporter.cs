using System.Globalization;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Recording;

/// <summary>
/// <c>--report</c> and <c>--complain</c>: decides each notified call again from the profile's
/// model, answers as the profile would (<c>--report</c>: its errno) or lets it run
/// (<c>--complain</c>), and prints one line per call as it happens, or a summary at the end:
/// <code>
/// sandboxrun: denied mount("tmpfs", "/mnt", "tmpfs", 0, NULL) = -EPERM  [pid 4242 mount] (syscalls: default action)
/// </code>
/// </summary>
internal sealed class DenialReporter(FilterPolicy policy, bool complain, bool summaryOnly, TextWriter output) : IWatcher
{
    private readonly Dictionary<(string Call, string Answer, string Why), int> _counts = [];
    private readonly List<(string Call, string Answer, string Why)> _order = [];

    public Answer Handle(in Notification n, TargetMemory target)
    {
        var decision = PolicyEvaluator.Decide(policy, n.Data);
        var arch = decision.Arch ?? ArchOf(n.Data);
        var name = arch?.NameOf(n.Data.Nr) ?? $"syscall_{n.Data.Nr & ~Arch.Arch.X32_SYSCALL_BIT}";
        var pid = n.Pid;
        var id = n.Id;
        var answer = Outcome(decision.Action);
        var why = Why(decision);
        if (summaryOnly)
        {
            var key = (name, answer, why);
            if (!_counts.TryAdd(key, 1))
            {
                _counts[key]++;
            }
            else
            {
                _order.Add(key);
            }
        }
        else
        {
            // Decoding reads the stopped task's memory: done only for a line that shows it.
            var call = arch is null
                ? $"{name}({string.Join(", ", n.Data.Args.Select(CallFormatter.Hex))})"
                : CallFormatter.Format(name, arch, n.Data.Args, address => target.ReadString(pid, address, id));
            if (arch is not null && arch != policy.Target.Main)
            {
                call = $"[{arch.Name}] {call}";
            }
            output.WriteLine($"sandboxrun: {(complain ? "would deny" : "denied")} {call} = {answer}  [pid {pid} {TargetMemory.Comm(pid)}] {why}");
            output.Flush();
        }
        if (complain || decision.Action.Kind != ActionKind.Errno)
        {
            // --complain, or (never expected) a call the model does not deny: let it run.
            return Answer.Proceed;
        }
        return Answer.Fail(decision.Action.Data);
    }

    public void Finish(TargetEnd end)
    {
        if (end.Signal == 31 && !complain)
        {
            output.WriteLine($"sandboxrun: pid {end.Pid} was killed by SIGSYS: a KILL or TRAP action of the profile (--complain names the call)");
        }
        if (summaryOnly)
        {
            output.WriteLine($"sandboxrun: {(complain ? "would deny" : "denied")}: {_order.Sum(k => _counts[k])} calls");
            output.WriteLine($"  {"calls",6}  {"syscall",-20} {"result",-24} decided by");
            foreach (var key in _order.OrderByDescending(k => _counts[k]).ThenBy(k => k.Call, StringComparer.Ordinal))
            {
                output.WriteLine($"  {_counts[key].ToString(CultureInfo.InvariantCulture),6}  {key.Call,-20} {key.Answer,-24} {key.Why}");
            }
        }
        output.Flush();
    }

    private static Arch.Arch? ArchOf(in SeccompData data) => Recorder.AbiOf(data.Arch, data.Nr);

    private static string Outcome(SeccompAction action) =>
        action.Kind switch
        {
            ActionKind.Errno => CallFormatter.Result(action.Data),
            ActionKind.Trap => "SIGSYS (SCMP_ACT_TRAP)",
            ActionKind.KillProcess => "killed (SCMP_ACT_KILL_PROCESS)",
            ActionKind.KillThread => "killed (SCMP_ACT_KILL_THREAD)",
            _ => action.ToString(),
        };

    /// <summary>What decided: <c>(syscalls[3]: SCMP_ACT_ERRNO(EPERM))</c>, <c>(syscalls: default action)</c>, ...</summary>
    internal static string Why(Decision decision) =>
        decision.Source switch
        {
            DecisionSource.Rule when decision.Rule is { } rule => $"({rule.Origin.Rule.Path}: {rule.Action})",
            DecisionSource.Rule => "(libseccomp's merged rules for the call)",
            DecisionSource.Default => "(syscalls: default action)",
            DecisionSource.EnosysStub => "(runc's ENOSYS stub: above the highest syscall the profile names)",
            DecisionSource.EnosysUnknown => "(--enosys known: not a syscall of this ABI)",
            DecisionSource.X32NotCovered => "(an x32 call, and the profile has no SCMP_ARCH_X32)",
            _ => "(an ABI the profile does not cover)",
        };
}
