namespace SandboxRun.Policy;

/// <summary>
/// The rules of one ABI: every syscall number that has a rule, in number order, and the
/// ENOSYS boundary of runc's stub (numbers above it get ENOSYS) when it applies.
/// </summary>
internal sealed record ArchPolicy(Arch.Arch Arch, IReadOnlyList<SyscallPolicy> Syscalls, uint? EnosysAbove)
{
    internal SyscallPolicy? Find(uint number)
    {
        var lo = 0;
        var hi = Syscalls.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var n = Syscalls[mid].Number;
            if (n == number)
            {
                return Syscalls[mid];
            }
            if (n < number)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return null;
    }
}
