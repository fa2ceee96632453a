using System.Runtime;
using System.Runtime.InteropServices;
using SandboxRun.Bpf;
using SandboxRun.Errors;
using SandboxRun.Profiles;
using static SandboxRun.Interop.Interop;
using LaunchHelper = SandboxRun.Interop.Interop.LaunchHelper;

namespace SandboxRun.Launch;

/// <summary>A compiled filter and the seccomp(2) flags to install it with.</summary>
internal sealed record InstallableFilter(BpfProgram Program, uint Flags, string Source);

/// <summary>
/// Everything the launch needs, decided before any filter is installed. The command gets
/// <paramref name="Environment"/>, or this process's own environment, in its order, when
/// that is null (<see cref="NativeStrings.CallerEnvironment"/>).
/// </summary>
internal sealed record LaunchRequest(IReadOnlyList<InstallableFilter> Filters, string Path, IReadOnlyList<string> Argv, IReadOnlyList<string>? Environment = null);

/// <summary>
/// PR_SET_NO_NEW_PRIVS → seccomp(SECCOMP_SET_MODE_FILTER) for each layer → execve, on the
/// calling thread. Nothing else.
///
/// Everything is prepared first: the programs, argv and envp sit in native memory, the
/// kernel is asked whether it supports every action used, SIGPIPE (ignored by .NET, and an
/// ignored signal stays ignored across execve) is put back to its default and the signal
/// mask emptied. Then the window between the first seccomp() and execve() runs as one native
/// call (src/SandboxRun/Native/sandboxrun_launch.c, linked into the AOT binary) through an
/// ordinary P/Invoke: the thread stays in preemptive mode from before the first filter until
/// the new program, so the runtime never signals it (a real-time suspension signal arriving
/// during execve stays pending and kills the new program) nor makes it wait for a collection
/// (a futex under the filter), and no managed code runs under the filter. Measured before it:
/// managed calls around a no-GC region lost 3 of 1000 launches to a strict profile with
/// allocating threads; calls that suppressed the GC transition, 3 of 300.
/// The filter is installed without TSYNC: it binds this thread, execve inherits it, and the
/// runtime's other threads die at execve, as runc's comment on TSYNC says.
/// If execve fails, the process is already filtered: it writes one line with write(2) (which
/// the filter may deny) and leaves with _exit, 126 or 127 as env(1) would.
/// </summary>
internal static unsafe class Launcher
{
    /// <summary>Test hook: SANDBOXRUN_TEST_ALLOCATORS=N starts N threads that allocate without pause.</summary>
    internal const string AllocatorsVariable = "SANDBOXRUN_TEST_ALLOCATORS";

    /// <summary>The hook's entries in an environment block: never passed to the command.</summary>
    internal static ReadOnlySpan<byte> AllocatorsEntry => "SANDBOXRUN_TEST_ALLOCATORS="u8;

    internal static void Exec(LaunchRequest request, AgentHandoff? agent = null)
    {
        using var native = new NativeStrings();
        var path = native.String(request.Path);
        var argv = native.Array(request.Argv);
        var envp = native.Environment(request.Environment);
        var programs = native.Programs(request.Filters, out var flags);
        if (request.Filters.Count > 1)
        {
            // A refused later layer leaves the earlier ones installed, with no room to ask why;
            // a single layer is asked only when the kernel refuses it (below).
            foreach (var filter in request.Filters)
            {
                CheckActionsAvailable(filter);
            }
        }

        // .NET ignores SIGPIPE, and SIG_IGN survives execve: `yes | head -1` would print
        // "Broken pipe" errors instead of ending quietly. Caught signals reset by themselves.
        if (Libc.Signal(Libc.SIGPIPE, Libc.SIG_DFL) == -1)
        {
            ThrowIfFailed(-1, "signal(SIGPIPE, SIG_DFL)");
        }
        var emptySet = stackalloc byte[128];
        new Span<byte>(emptySet, 128).Clear();
        ThrowIfFailed(Libc.SigProcMask(Libc.SIG_SETMASK, emptySet, null), "sigprocmask");

        ThrowIfFailed(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");

        StartTestAllocators();
        var (failed, error) = agent is null
            ? Window(request.Filters.Count, programs, flags, path, argv, envp)
            : AgentWindow(request.Filters.Count, programs, flags, agent, path, argv, envp);
        // Here only when something failed: the index of the refused layer, or Count when execve failed.
        if (failed == 0)
        {
            // Nothing is installed yet: an ordinary error, made precise where an action is missing.
            if (error == Interop.Errno.EINVAL)
            {
                CheckActionsAvailable(request.Filters[0]);
            }
            throw new OsException($"seccomp(SECCOMP_SET_MODE_FILTER) refused {request.Filters[0].Source}: {new Interop.Errno(error)}{InstallHint(error, flags[0])}", error);
        }
        if (failed == request.Filters.Count + 1)
        {
            Die("sandboxrun: could not send the seccomp listener to the agent (errno ", error, ExitCodes.RunFailed);
        }
        if (failed < request.Filters.Count)
        {
            Die("sandboxrun: seccomp refused a stacked filter (errno ", error, ExitCodes.RunFailed);
        }
        Die("sandboxrun: execve failed under the filter (errno ", error, error == Interop.Errno.ENOENT ? ExitCodes.NotFound : ExitCodes.CannotExecute);
    }

    /// <summary>
    /// Installs every layer and execs; returns only on failure, with the index of the refused
    /// layer (count when execve failed) and the errno. The whole window is one native call
    /// (src/SandboxRun/Native); builds without it (tests, the JIT fallback) get the managed one.
    /// </summary>
    private static (int Failed, int Errno) Window(int count, Libc.SockFprog* programs, uint[] flags, byte* path, byte** argv, byte** envp)
    {
        int failed;
        fixed (uint* flagValues = flags)
        {
            try
            {
                var error = LaunchHelper.SeccompExecve(programs, flagValues, count, path, argv, envp, &failed);
                return (failed, error);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // The helper is not linked in: nothing ran yet.
                return ManagedWindow(count, programs, flags, path, argv, envp);
            }
        }
    }

    /// <summary>
    /// The window with a seccomp agent (<see cref="NotifyAgent"/>): the layers, the listener
    /// sent to the agent, execve, in one native call. No managed fallback: the agent's
    /// listener must not wait on a runtime that might be collecting.
    /// </summary>
    private static (int Failed, int Errno) AgentWindow(int count, Libc.SockFprog* programs, uint[] flags, AgentHandoff agent, byte* path, byte** argv, byte** envp)
    {
        int failed;
        fixed (uint* flagValues = flags)
        fixed (byte* message = agent.Message)
        {
            try
            {
                var error = LaunchHelper.SeccompNotifyExecve(programs, flagValues, count, agent.Layer, agent.Socket, message, agent.Message.Length, path, argv, envp, &failed);
                return (failed, error);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new RunFailedException("SCMP_ACT_NOTIFY with a listenerPath needs the native launch helper of the AOT build (scripts/build)");
            }
        }
    }

    /// <summary>
    /// The same window in managed code: a no-GC region and ordinary P/Invokes keep a collection
    /// away from most launches, not from all of them (measured: with 3 allocating threads and a
    /// strict profile, a few per thousand die).
    /// </summary>
    private static (int Failed, int Errno) ManagedWindow(int count, Libc.SockFprog* programs, uint[] flags, byte* path, byte** argv, byte** envp)
    {
        EnterNoGCRegion();
        for (var i = 0; i < count; i++)
        {
            if (Libc.Syscall(Libc.SYS_seccomp, Libc.SECCOMP_SET_MODE_FILTER, flags[i], (nuint)(&programs[i])) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (i == 0)
                {
                    LeaveNoGCRegion();
                }
                return (i, errno);
            }
        }
        _ = Libc.Execve(path, argv, envp);
        return (count, Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// SECCOMP_GET_ACTION_AVAIL for every action the program returns: a kernel that lacks
    /// one (KILL_PROCESS before 4.14, LOG before 4.14, USER_NOTIF before 5.0) would refuse
    /// the whole filter with a bare EINVAL.
    /// </summary>
    private static void CheckActionsAvailable(InstallableFilter filter)
    {
        var actions = filter.Program.Instructions
            .Where(i => i.Code == (BpfConstants.BPF_RET | BpfConstants.BPF_K))
            .Select(i => i.K & SeccompAction.SECCOMP_RET_ACTION_FULL)
            .Distinct();
        foreach (var action in actions)
        {
            var value = action;
            if (Libc.Syscall(Libc.SYS_seccomp, Libc.SECCOMP_GET_ACTION_AVAIL, 0, (nuint)(&value)) != 0)
            {
                var errno = Interop.Errno.Last;
                throw new OsException($"{filter.Source}: this kernel does not support {Disassembler.ActionText(action)} (SECCOMP_GET_ACTION_AVAIL: {errno})", errno.Value);
            }
        }
    }

    private static string InstallHint(int errno, uint flags) =>
        errno switch
        {
            Interop.Errno.EACCES => " (hint: installing a filter needs no_new_privs, which sandboxrun sets, or CAP_SYS_ADMIN; a security module may forbid it)",
            Interop.Errno.EINVAL when flags != 0 => $" (hint: this kernel may not know the filter flags 0x{flags:x} from the profile's \"flags\"; or it lacks CONFIG_SECCOMP_FILTER)",
            Interop.Errno.EINVAL => " (hint: this kernel needs CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER)",
            Interop.Errno.ENOSYS => " (hint: this kernel was built without seccomp)",
            _ => "",
        };

    private static void EnterNoGCRegion()
    {
        // The budget only has to outlast the few microseconds between seccomp and execve; a
        // larger one costs milliseconds of page work at every launch (measured: 256 MiB, ~10 ms).
        foreach (var size in new long[] { 8L << 20, 2L << 20 })
        {
            try
            {
                if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion || GC.TryStartNoGCRegion(size))
                {
                    return;
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                // Too large for this heap: try a smaller budget.
            }
        }
    }

    private static void LeaveNoGCRegion()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // A collection ended the region already.
            }
        }
    }

    internal static void StartTestAllocators()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(AllocatorsVariable), out var count))
        {
            return;
        }
        for (var i = 0; i < count; i++)
        {
            new Thread(static () =>
            {
                var keep = new object[64];
                for (var n = 0; ; n++)
                {
                    keep[n & 63] = new byte[(n & 7) * 512];
                }
            })
            { IsBackground = true }.Start();
        }
        Thread.Sleep(5); // let them run into the window
    }

    /// <summary>Last words under the filter: one write(2) of a prepared line, then _exit.</summary>
    private static void Die(string prefix, int errno, int status)
    {
        Span<byte> line = stackalloc byte[96];
        var n = 0;
        foreach (var c in prefix)
        {
            line[n++] = (byte)c;
        }
        Span<byte> digits = stackalloc byte[10];
        var d = 0;
        do
        {
            digits[d++] = (byte)('0' + (errno % 10));
            errno /= 10;
        }
        while (errno > 0);
        while (d > 0)
        {
            line[n++] = digits[--d];
        }
        line[n++] = (byte)')';
        line[n++] = (byte)'\n';
        fixed (byte* p = line)
        {
            _ = Libc.WriteNoTransition(2, p, (nuint)n);
        }
        Libc.ExitNoTransition(status);
    }
}
