using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Tests.Policy;

/// <summary>
/// Stacked filters: the kernel's answer is the lowest action of all layers
/// (kernel/seccomp.c seccomp_run_filters); on a tie of actions the last installed layer's
/// data (its errno) wins, since the kernel walks from the newest filter to the oldest.
/// Actions are given as the filter return values (linux/seccomp.h).
/// </summary>
public sealed class FilterStackSpecs
{
    [Theory]
    [InlineData(0x7fff0000u, 0x00050001u, 0x00050001u)] // ALLOW, ERRNO(EPERM)
    [InlineData(0x00050001u, 0x7fff0000u, 0x00050001u)]
    [InlineData(0x7ffc0000u, 0x7fff0000u, 0x7ffc0000u)] // LOG beats ALLOW
    [InlineData(0x7ff00007u, 0x0005000du, 0x0005000du)] // ERRNO beats TRACE
    [InlineData(0x7fc00000u, 0x7ff00000u, 0x7fc00000u)] // USER_NOTIF beats TRACE
    [InlineData(0x0005000du, 0x00030000u, 0x00030000u)] // TRAP beats ERRNO
    [InlineData(0x00030000u, 0x00000000u, 0x00000000u)] // KILL_THREAD beats TRAP
    [InlineData(0x00000000u, 0x80000000u, 0x80000000u)] // KILL_PROCESS beats everything
    [InlineData(0x00050001u, 0x0005000du, 0x0005000du)] // a tie: the later layer's errno
    [InlineData(0x0005000du, 0x00050001u, 0x00050001u)]
    public void I_can_see_the_kernel_take_the_most_restrictive_answer(uint first, uint second, uint expected)
    {
        SeccompAction[] layers = [SeccompAction.FromReturnValue(first), SeccompAction.FromReturnValue(second)];

        Assert.Equal(expected, FilterStack.Combine(layers).ReturnValue);
        Assert.Equal(expected == second ? 1 : 0, FilterStack.Winner(layers));
    }
}
