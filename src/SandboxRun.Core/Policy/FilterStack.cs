using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// Several filters on one thread, as the kernel runs them (kernel/seccomp.c
/// seccomp_run_filters): every filter decides, from the last installed to the first, and
/// the answer with the lowest action wins, comparing <c>(s32)(ret &amp; SECCOMP_RET_ACTION_FULL)</c>:
/// KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW. Only a strictly
/// lower action replaces the answer, so of two ERRNO answers the later filter's errno wins.
/// </summary>
internal static class FilterStack
{
    /// <summary>The kernel's answer for the answers of each layer, given in install order.</summary>
    internal static SeccompAction Combine(IReadOnlyList<SeccompAction> layers) =>
        layers.Count == 0 ? SeccompAction.Allow : layers[Winner(layers)];

    /// <summary>The index of the layer whose answer the kernel takes (the last one on a tie).</summary>
    internal static int Winner(IReadOnlyList<SeccompAction> layers)
    {
        var winner = layers.Count - 1;
        for (var i = layers.Count - 2; i >= 0; i--)
        {
            if (Rank(layers[i]) < Rank(layers[winner]))
            {
                winner = i;
            }
        }
        return winner;
    }

    /// <summary>ACTION_ONLY(ret) as the kernel compares it: a signed 32-bit value.</summary>
    private static int Rank(SeccompAction action) => unchecked((int)(action.ReturnValue & SeccompAction.SECCOMP_RET_ACTION_FULL));
}
