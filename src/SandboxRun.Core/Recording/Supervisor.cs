using System.Runtime.InteropServices;
using SandboxRun.Bpf;
using SandboxRun.Errors;
using SandboxRun.Launch;
using static SandboxRun.Interop.Interop;

namespace SandboxRun.Recording;

/// <summary>
/// The supervisor of <c>--report</c>, <c>--complain</c> and <c>record</c>: starts the target in
/// a child under the filters, one of them with a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER),
/// answers every notification through an <see cref="IWatcher"/>, forwards SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT to the target, reaps it, and ends as it ended: the same exit code, or
/// the same signal raised on itself.
///
/// The child is forked by native code (sandboxrun_spawn_watched) and makes only raw syscalls
/// until execve: PR_SET_PDEATHSIG(SIGKILL) (the target dies with the supervisor, even when
/// the supervisor is killed), no_new_privs, the filters, execve. The listener crosses by
/// pidfd_getfd, which needs nothing from the child: its fd number is stored in a shared page
/// (a memory write, not a syscall), so no notified call of the child can wait for a
/// supervisor that has no listener yet.
///
/// The supervisor serves the listener until every task under the filter is gone (POLLHUP),
/// as strace -f follows every child: orphans of the target come here
/// (PR_SET_CHILD_SUBREAPER) and are reaped as they end, before the target's end or after.
/// </summary>
internal static unsafe class Supervisor
{
    private static readonly PosixSignal[] Forwarded = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    /// <summary>Runs the target; returns its exit code, or raises the signal that killed it.</summary>
    internal static int Run(LaunchRequest request, int listenLayer, Func<TargetMemory, IWatcher> watcherFor)
    {
        var (pid, pidfd, listener, handoff) = Spawn(request, listenLayer);
        var registrations = Forwarded.Select(s => PosixSignalRegistration.Create(s, context =>
        {
            context.Cancel = true;
            _ = Libc.Kill(pid, SignalNumber(context.Signal));
        })).ToList();
        TargetEnd end;
        try
        {
            var memory = new TargetMemory(listener);
            var watcher = watcherFor(memory);
            end = Serve(pid, pidfd, listener, watcher, memory);
            if (LaunchHelper.WatchedExecErrno((void*)handoff) is var execErrno and not 0)
            {
                // The child could not become the command (126/127 is its exit status): say why,
                // as env(1) and the unwatched run do.
                Console.Error.WriteLine($"sandboxrun: {request.Argv[0]}: execve failed: {new Interop.Errno(execErrno)}");
            }
            watcher.Finish(end);
        }
        finally
        {
            _ = Libc.Close(listener);
            _ = Libc.Close(pidfd);
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
        return end.Signal == 0 ? end.ExitCode : Reraise(end.Signal);
    }

    private static (int Pid, int Pidfd, int Listener, nint Handoff) Spawn(LaunchRequest request, int listenLayer)
    {
        using var native = new NativeStrings();
        var path = native.String(request.Path);
        var argv = native.Array(request.Argv);
        var envp = native.Environment(request.Environment);
        var programs = native.Programs(request.Filters, out var flags);
        // Orphans of the target come here to be reaped (see the class comment).
        _ = Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

        Launcher.StartTestAllocators();
        int pid, pidfd, listener, failed, error;
        void* handoff = null;
        fixed (uint* f = flags)
        {
            try
            {
                error = LaunchHelper.SpawnWatched(programs, f, request.Filters.Count, listenLayer, path, argv, envp, &pid, &pidfd, &listener, &failed, &handoff);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new RunFailedException("watching a program needs the native launch helper of the AOT build (scripts/build)");
            }
        }
        if (error == 0)
        {
            // Answers wake the waiting task on this CPU at once (Linux 6.6; older kernels refuse, harmlessly).
            ulong sync = Libc.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
            _ = Libc.Ioctl(listener, Libc.SECCOMP_IOCTL_NOTIF_SET_FLAGS, &sync);
            return (pid, pidfd, listener, (nint)handoff);
        }
        var what = new Interop.Errno(error);
        if (pid > 0)
        {
            Reap(pid);
        }
        throw new RunFailedException(failed switch
        {
            -1 => $"could not start the watched child: {what}",
            _ when failed < request.Filters.Count => $"seccomp(SECCOMP_SET_MODE_FILTER) refused {request.Filters[failed].Source}: {what}",
            _ => $"could not take the seccomp listener from the child (pidfd_getfd): {what}",
        });
    }

    private static void Reap(int pid)
    {
        Libc.SigInfo info;
        _ = Libc.WaitId(Libc.P_PID, pid, &info, Libc.WEXITED);
    }

    /// <summary>
    /// Two loops. A thread of its own answers notifications: RECV (blocking, into a zeroed
    /// buffer sized from SECCOMP_GET_NOTIF_SIZES), decide, SEND; nothing else, so a notified
    /// task waits for two context switches and no poll. This thread waits, in poll, for the
    /// target to end (its pidfd) and for the listener to hang up (POLLHUP, only asked for, so
    /// notifications do not wake it), reaping as it goes. A RECV still blocked when the last
    /// task is gone is left to end with the process.
    /// </summary>
    private static TargetEnd Serve(int pid, int pidfd, int listener, IWatcher watcher, TargetMemory memory)
    {
        Libc.SeccompNotifSizes sizes;
        var size = sizeof(Libc.SeccompNotif);
        if (Libc.Syscall(Libc.SYS_seccomp, Libc.SECCOMP_GET_NOTIF_SIZES, 0, (nuint)(&sizes)) == 0)
        {
            size = Math.Max(size, sizes.Notif);
        }
        var gate = new object();
        var answering = new Thread(() => AnswerAll(listener, size, watcher, memory, gate)) { IsBackground = true, Name = "seccomp notifications" };
        answering.Start();

        var fds = stackalloc Libc.PollFd[2];
        TargetEnd? end = null;
        var listenerOpen = true;
        while (listenerOpen || end is null)
        {
            fds[0] = new Libc.PollFd { Fd = listenerOpen ? listener : -1, Events = 0 };
            fds[1] = new Libc.PollFd { Fd = end is null ? pidfd : -1, Events = Libc.POLLIN };
            // A timeout, to reap orphans now and then: their SIGCHLD wakes no fd here.
            var ready = Libc.Poll(fds, 2, 200);
            if (ready < 0 && Marshal.GetLastPInvokeError() != Libc.EINTR)
            {
                ThrowIfFailed(-1, "poll(seccomp listener)");
            }
            if ((fds[0].Revents & Libc.POLLHUP) != 0)
            {
                listenerOpen = false;
            }
            // Reap on every round, also after the target's end: the orphans that end later are
            // this process's children too, and would stay zombies until it ends.
            var reaped = ReapAll(pid);
            end ??= reaped;
        }
        // Every task under the filter is gone, so no answer is under way: the watcher's state is final.
        Monitor.Enter(gate);
        return end.Value;
    }

    private static void AnswerAll(int listener, int size, IWatcher watcher, TargetMemory memory, object gate)
    {
        var buffer = (Libc.SeccompNotif*)NativeMemory.AllocZeroed((nuint)size);
        var hup = new Libc.PollFd { Fd = listener, Events = 0 };
        while (true)
        {
            NativeMemory.Clear(buffer, (nuint)size);
            if (Libc.Ioctl(listener, Libc.SECCOMP_IOCTL_NOTIF_RECV, buffer) == 0)
            {
                lock (gate)
                {
                    Answer(listener, buffer, watcher, memory);
                }
                continue;
            }
            // EINTR, or ENOENT: the task left the call (killed) before it was read; or the
            // listener is orphaned (some kernels answer ENOENT at once then): stop on POLLHUP.
            if (Libc.Poll(&hup, 1, 0) > 0 && (hup.Revents & Libc.POLLHUP) != 0)
            {
                return;
            }
        }
    }

    private static void Answer(int listener, Libc.SeccompNotif* n, IWatcher watcher, TargetMemory memory)
    {
        var args = new ulong[6];
        for (var i = 0; i < 6; i++)
        {
            args[i] = n->Args[i];
        }
        var notification = new Notification(n->Id, (int)n->Pid, new SeccompData((uint)n->Nr, n->Arch, n->InstructionPointer, args));
        var answer = watcher.Handle(notification, memory);
        var response = new Libc.SeccompNotifResp
        {
            Id = n->Id,
            Flags = answer.Continue ? Libc.SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0,
            Error = answer.Continue ? 0 : -answer.Errno,
        };
        // ENOENT: the task was interrupted (a signal) and will make the call again.
        _ = Libc.Ioctl(listener, Libc.SECCOMP_IOCTL_NOTIF_SEND, &response);
    }

    /// <summary>Reaps every child that has ended; returns the target's end once it is among them.</summary>
    private static TargetEnd? ReapAll(int target)
    {
        TargetEnd? end = null;
        while (true)
        {
            Libc.SigInfo info = default;
            if (Libc.WaitId(Libc.P_ALL, 0, &info, Libc.WEXITED | Libc.WNOHANG) != 0 || info.Pid == 0)
            {
                return end;
            }
            if (info.Pid == target)
            {
                end = info.Code == Libc.CLD_EXITED
                    ? new TargetEnd(target, info.Status, 0)
                    : new TargetEnd(target, 128 + info.Status, info.Status);
            }
        }
    }

    private static int SignalNumber(PosixSignal signal) =>
        signal switch
        {
            PosixSignal.SIGHUP => 1,
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGQUIT => 3,
            PosixSignal.SIGTERM => 15,
            _ => (int)signal,
        };

    /// <summary>
    /// Ends this process with the signal that ended the target, as a shell sees it: default
    /// disposition, unblocked, no core file of the supervisor. 128 + n if it survives that.
    /// </summary>
    private static int Reraise(int signal)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        _ = Libc.Prctl(Libc.PR_SET_DUMPABLE, 0, 0, 0, 0);
        _ = Libc.Signal(signal, Libc.SIG_DFL);
        var set = stackalloc byte[128];
        new Span<byte>(set, 128).Clear();
        set[(signal - 1) / 8] |= (byte)(1 << ((signal - 1) % 8));
        _ = Libc.SigProcMask(1 /* SIG_UNBLOCK */, set, null);
        _ = Libc.Kill(Libc.GetPid(), signal);
        Thread.Sleep(100);
        return 128 + signal;
    }
}
