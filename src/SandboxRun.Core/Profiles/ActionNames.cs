namespace SandboxRun.Profiles;

/// <summary>The SCMP_ACT_* spellings a profile may use, as runc's specconv accepts them.</summary>
internal static class ActionNames
{
    private static readonly (string Name, ActionKind Kind)[] Names =
    [
        ("SCMP_ACT_KILL", ActionKind.KillThread), // runc: KILL means KILL_THREAD
        ("SCMP_ACT_KILL_PROCESS", ActionKind.KillProcess),
        ("SCMP_ACT_KILL_THREAD", ActionKind.KillThread),
        ("SCMP_ACT_TRAP", ActionKind.Trap),
        ("SCMP_ACT_ERRNO", ActionKind.Errno),
        ("SCMP_ACT_TRACE", ActionKind.Trace),
        ("SCMP_ACT_ALLOW", ActionKind.Allow),
        ("SCMP_ACT_LOG", ActionKind.Log),
        ("SCMP_ACT_NOTIFY", ActionKind.Notify),
    ];

    internal static IEnumerable<string> All => Names.Select(n => n.Name);

    internal static bool TryParse(string name, out ActionKind kind)
    {
        foreach (var (n, k) in Names)
        {
            if (n == name)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    internal static string ToProfileName(ActionKind kind) =>
        kind == ActionKind.KillThread ? "SCMP_ACT_KILL_THREAD" : Names.First(n => n.Kind == kind).Name;
}
