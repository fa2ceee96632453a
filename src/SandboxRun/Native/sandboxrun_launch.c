/*
 * The launch windows of sandboxrun, in native calls linked statically into the Native AOT
 * binary (see SandboxRun.csproj) and called through ordinary P/Invokes, so the calling
 * thread is in preemptive mode for the whole window: the .NET runtime neither signals it
 * nor makes it wait for a collection, and no managed code runs between the filter and the
 * new program.
 *
 *   sandboxrun_seccomp_execve         run: install each layer, then execve (same process).
 *   sandboxrun_seccomp_notify_execve  run with a profile's NOTIFY rules and listenerPath:
 *                                     the same, and one layer gets a listener that is sent
 *                                     to the seccomp agent before execve.
 *   sandboxrun_spawn_watched          --report, --complain, record: a child runs the target
 *                                     under the layers, one of them with a listener, and
 *                                     the supervisor (the caller) takes that listener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#if defined(__x86_64__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/*
 * Installs layers[0..count) in order, layer `listen` (or none, -1) with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER; *listener gets its fd. Raw syscalls only: the windows
 * below run it in a child of a multithreaded process, or under the earlier layers.
 */
static int install_layers(const struct sock_fprog *programs, const unsigned int *flags, int count, int listen,
			  int *listener, int *failed)
{
	for (int i = 0; i < count; i++) {
		unsigned int f = flags[i] | (i == listen ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
		long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, &programs[i]);
		if (rc < 0) {
			*failed = i;
			return errno;
		}
		if (i == listen)
			*listener = (int)rc;
	}
	return 0;
}

/* Returns only on failure: the errno, with *failed the refused layer, or count for execve. */
int sandboxrun_seccomp_execve(const struct sock_fprog *programs, const unsigned int *flags, int count,
			      const char *path, char *const argv[], char *const envp[], int *failed)
{
	int unused;
	int error = install_layers(programs, flags, count, -1, &unused, failed);
	if (error != 0)
		return error;
	execve(path, argv, envp);
	*failed = count;
	return errno;
}

/*
 * As sandboxrun_seccomp_execve, and layer `listen` gets a listener that is sent over `sock`
 * (a unix socket already connected to the profile's listenerPath, close-on-exec) with one
 * message, the OCI ContainerProcessState JSON, and the fd as SCM_RIGHTS, as runc does.
 * Under the filter this makes the later seccomp() calls, one sendmsg() and execve(): the
 * caller refuses profiles that NOTIFY those (runc refuses NOTIFY for write(2) for the same
 * reason: a notified call before the agent holds the fd never returns). The listener is
 * close-on-exec, so the program does not keep it. *failed = count + 1 when sendmsg failed.
 */
int sandboxrun_seccomp_notify_execve(const struct sock_fprog *programs, const unsigned int *flags, int count,
				     int listen, int sock, const char *message, int length, const char *path,
				     char *const argv[], char *const envp[], int *failed)
{
	int listener = -1;
	int error = install_layers(programs, flags, count, listen, &listener, failed);
	if (error != 0)
		return error;

	union {
		char buffer[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof control);
	struct iovec iov = {.iov_base = (void *)message, .iov_len = (size_t)length};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
			     .msg_controllen = sizeof control.buffer};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
	if (syscall(SYS_sendmsg, sock, &msg, MSG_NOSIGNAL) < 0) {
		*failed = count + 1;
		return errno;
	}
	execve(path, argv, envp);
	*failed = count;
	return errno;
}

/* The page a watched child shares with its supervisor until the hand-off is done. */
struct handoff {
	volatile int state; /* 0 starting, 1 listener ready, 2 failed, 3 listener taken, 4 execve failed */
	volatile int listener;
	volatile int error;
	volatile int failed;
};

enum { STARTING, READY, FAILED, TAKEN, EXEC_FAILED };

/* The kernel's struct sigaction (not glibc's, whose mask is 128 bytes and comes second). */
struct kernel_sigaction {
	uintptr_t handler;
	unsigned long flags;
	uintptr_t restorer;
	uint64_t mask;
};

/*
 * The child of sandboxrun_spawn_watched: only raw syscalls (it is a copy of a
 * multithreaded .NET process; no lock, no allocation). Signals are blocked on entry.
 */
static void watched_child(struct handoff *h, pid_t supervisor, const struct sock_fprog *programs,
			  const unsigned int *flags, int count, int listen, const char *path, char *const argv[],
			  char *const envp[])
{
	/* Handlers of the .NET runtime would run in this copy: back to the defaults (ignored
	 * signals stay ignored, as across execve, except SIGPIPE, which .NET ignores). */
	struct kernel_sigaction dfl = {0, 0, 0, 0};
	for (int sig = 1; sig < 65; sig++) {
		struct kernel_sigaction old;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, 8) == 0 && (old.handler != (uintptr_t)SIG_IGN || sig == SIGPIPE))
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	}
	/* Ends with the supervisor, even when it is killed; it may already be gone. */
	if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || syscall(SYS_getppid) != supervisor) {
		h->error = ESRCH;
		h->failed = -1;
		__atomic_store_n(&h->state, FAILED, __ATOMIC_RELEASE);
		syscall(SYS_exit_group, 125);
	}
	uint64_t empty = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8);
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		h->error = errno;
		h->failed = -1;
		__atomic_store_n(&h->state, FAILED, __ATOMIC_RELEASE);
		syscall(SYS_exit_group, 125);
	}
	int listener = -1, failed = 0;
	int error = install_layers(programs, flags, count, listen, &listener, &failed);
	if (error != 0) {
		h->error = error;
		h->failed = failed;
		__atomic_store_n(&h->state, FAILED, __ATOMIC_RELEASE);
		syscall(SYS_exit_group, 125);
	}
	/*
	 * The hand-off. The listener is close-on-exec, so execve must wait until the supervisor
	 * holds it: a filter whose listener is gone answers every notified call with ENOSYS.
	 * The fd number goes out by a store to shared memory, not a syscall, and the supervisor
	 * takes the fd with pidfd_getfd, which needs nothing from this process. The wait for it
	 * spins first, then sleeps in futex(2); should that call be notified (record notifies
	 * every call), the notification simply waits for the supervisor, which answers it once
	 * it holds the listener: nothing here can wait for a supervisor without one.
	 */
	h->listener = listener;
	__atomic_store_n(&h->state, READY, __ATOMIC_RELEASE);
	for (int spin = 0; __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != TAKEN; spin++) {
		if (spin < 100000)
			cpu_relax();
		else
			syscall(SYS_futex, &h->state, FUTEX_WAIT, READY, NULL, NULL, 0);
	}
	syscall(SYS_execve, path, argv, envp);
	/* The supervisor keeps the page until the child has ended: it reads why from here. */
	h->error = errno;
	h->failed = count;
	__atomic_store_n(&h->state, EXEC_FAILED, __ATOMIC_RELEASE);
	syscall(SYS_exit_group, h->error == ENOENT ? 127 : 126);
}

/*
 * Forks a child that installs the layers (layer `listen` with a listener) and execs path,
 * and takes the child's listener into this process with pidfd_getfd. Returns 0 with the
 * child's pid, a pidfd for it, the listener and the hand-off page, which the caller gives to
 * sandboxrun_watched_exec_errno once the child has ended; else the errno, with *failed = -1
 * (before the filters), the refused layer or count + 1 (the hand-off).
 * The child has PR_SET_PDEATHSIG(SIGKILL): it is bound to the calling thread, which must
 * live as long as the supervisor (the main thread).
 */
int sandboxrun_spawn_watched(const struct sock_fprog *programs, const unsigned int *flags, int count, int listen,
			     const char *path, char *const argv[], char *const envp[], int *pid_out,
			     int *pidfd_out, int *listener_out, int *failed, void **handoff_out)
{
	*failed = -1;
	struct handoff *h = mmap(NULL, sizeof *h, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return errno;
	memset((void *)h, 0, sizeof *h);
	pid_t self = (pid_t)syscall(SYS_getpid);

	/* No signal is handled in the child before its handlers are reset. */
	uint64_t all = ~(uint64_t)0, old = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	int pidfd = -1;
	/* clone(2) raw, as fork without glibc's atfork handlers; parent_tid (the third argument
	 * on x86_64 and aarch64 alike) receives the pidfd. */
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_PIDFD | SIGCHLD), 0, &pidfd, 0, 0);
	if (pid == 0)
		watched_child(h, self, programs, flags, count, listen, path, argv, envp);
	int clone_errno = errno;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	if (pid < 0) {
		munmap((void *)h, sizeof *h);
		return clone_errno;
	}
	*pid_out = (int)pid;
	*pidfd_out = pidfd;

	/* Wait for the listener: spin briefly, then sleep in short steps. */
	int result = 0;
	for (long round = 0;; round++) {
		int state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE);
		if (state == READY) {
			long fd = syscall(SYS_pidfd_getfd, pidfd, h->listener, 0);
			if (fd < 0) {
				result = errno;
				*failed = count + 1;
				syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			} else {
				*listener_out = (int)fd;
				__atomic_store_n(&h->state, TAKEN, __ATOMIC_RELEASE);
				syscall(SYS_futex, &h->state, FUTEX_WAKE, 1, NULL, NULL, 0);
			}
			break;
		}
		if (state == FAILED) {
			result = h->error;
			*failed = h->failed;
			break;
		}
		if (round < 200) {
			sched_yield();
			continue;
		}
		/* The child died before the hand-off (a signal): its pidfd is readable. */
		siginfo_t info;
		memset(&info, 0, sizeof info);
		if (syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | WNOHANG | WNOWAIT, NULL) == 0 && info.si_pid != 0) {
			if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != STARTING)
				continue; /* it said why before it ended */
			result = ECHILD;
			*failed = count + 1;
			break;
		}
		struct timespec step = {0, 20000};
		nanosleep(&step, NULL);
	}
	if (result != 0) {
		munmap((void *)h, sizeof *h);
		return result;
	}
	*handoff_out = (void *)h;
	return 0;
}

/*
 * After the watched child has ended: the errno of its execve when that failed (after the
 * hand-off, so only the page can tell), else 0. Releases the page.
 */
int sandboxrun_watched_exec_errno(void *handoff)
{
	struct handoff *h = handoff;
	int error = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == EXEC_FAILED ? h->error : 0;
	munmap(handoff, sizeof *h);
	return error;
}
