/*
 * probe: makes real syscalls for sandboxrun's end-to-end specs, one per run.
 *
 *   probe call NAME [a0..a5]     the syscall NAME, raw, with harmless invalid arguments
 *   probe describe NAME [a0..a5] the call `call` would make, as `sandboxrun check` reads it
 *   probe nr N [a0..a5]          syscall number N of the native ABI, raw
 *   probe i386 N [a0..a5]        i386 syscall N through `int $0x80` (x86_64 with IA-32
 *                                emulation; `absent` where the kernel has none)
 *   probe x32 N [a0..a5]         syscall N | 0x40000000 through `syscall` (x86_64 only)
 *   probe socket-high            socket(0x100000026, SOCK_STREAM, 0): a 64-bit family
 *   probe threads N [NAME [a..]] N threads each make the call NAME (default getpid)
 *   probe fork-exec PATH [ARG..] fork, exec PATH (through PATH like execvp), wait
 *   probe sigmask                signal mask, ignored and pending signals, SIGPIPE
 *   probe fds                    the open file descriptors
 *   probe clone3                 clone3 with a bad size, then glibc's fork and pthread_create
 *
 * A call prints one line, `<name> errno=<NAME> ret=<n>` (`errno=0` when the call
 * succeeded), and the probe exits with the errno value, 0 on success. So an allowed call
 * fails with its natural errno (EFAULT, EBADF, EINVAL, ...) while a denied call fails with
 * the profile's (EPERM from Docker's default profile) and the exit status tells which,
 * as bubblewrap's tests/try-syscall.c does.
 *
 * Exit statuses of the probe's own: 200 the syscall does not exist on this ABI (the line
 * says `<name> absent`), 201 usage error, 202 the probe itself failed (a thread or fork
 * could not be made; the reason is on stderr).
 *
 * Every argument list of `call` is chosen so that the call fails early even as root with
 * every capability, which is how the specs run: the probe without sandboxrun, or under a
 * profile that allows the call (--cap-add), must not change the machine. The reason for
 * each is beside it in the table below; the checks cited are the first ones the kernel
 * makes (kernel/reboot.c, fs/namespace.c, ... of Linux 6.x).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_ABSENT 200
#define EXIT_USAGE 201
#define EXIT_PROBE_FAILED 202

/* Linux's flag values, spelled out so that no header decides which exist. */
#define P_CLONE_FS 0x00000200UL      /* <linux/sched.h> */
#define P_CLONE_NEWNS 0x00020000UL
#define P_CLONE_NEWUSER 0x10000000UL
#define P_AT_FDCWD (-100L)            /* <linux/fcntl.h> */
#define P_X32_SYSCALL_BIT 0x40000000L /* <asm/unistd.h> __X32_SYSCALL_BIT */

/* A path that does not exist: its first component is missing on any sane machine. */
static const char nowhere[] = "/nonexistent-sandboxrun-probe/x";

#define NONE (-1L)
#ifdef SYS_stime
#define NR_stime SYS_stime
#else
#define NR_stime NONE
#endif
#ifdef SYS_umount
#define NR_umount SYS_umount
#else
#define NR_umount NONE
#endif
#ifdef SYS_vm86
#define NR_vm86 SYS_vm86
#else
#define NR_vm86 NONE
#endif
#ifdef SYS_vm86old
#define NR_vm86old SYS_vm86old
#else
#define NR_vm86old NONE
#endif
#ifdef SYS_create_module
#define NR_create_module SYS_create_module
#else
#define NR_create_module NONE
#endif
#ifdef SYS_get_kernel_syms
#define NR_get_kernel_syms SYS_get_kernel_syms
#else
#define NR_get_kernel_syms NONE
#endif
#ifdef SYS_query_module
#define NR_query_module SYS_query_module
#else
#define NR_query_module NONE
#endif
#ifdef SYS_nfsservctl
#define NR_nfsservctl SYS_nfsservctl
#else
#define NR_nfsservctl NONE
#endif
#ifdef SYS_uselib
#define NR_uselib SYS_uselib
#else
#define NR_uselib NONE
#endif
#ifdef SYS__sysctl
#define NR__sysctl SYS__sysctl
#else
#define NR__sysctl NONE
#endif
#ifdef SYS_ustat
#define NR_ustat SYS_ustat
#else
#define NR_ustat NONE
#endif
#ifdef SYS_sysfs
#define NR_sysfs SYS_sysfs
#else
#define NR_sysfs NONE
#endif
#ifdef SYS_ioperm
#define NR_ioperm SYS_ioperm
#else
#define NR_ioperm NONE
#endif
#ifdef SYS_iopl
#define NR_iopl SYS_iopl
#else
#define NR_iopl NONE
#endif
#ifdef SYS_socketcall
#define NR_socketcall SYS_socketcall
#else
#define NR_socketcall NONE
#endif
#ifdef SYS_lookup_dcookie
#define NR_lookup_dcookie SYS_lookup_dcookie
#else
#define NR_lookup_dcookie NONE
#endif

struct known_call {
	const char *name;
	long nr; /* NONE: the native ABI has no such syscall */
	long args[6];
};

#define P(x) ((long)(uintptr_t)(x))

/*
 * Docker's documented list of blocked syscalls (seeds/004), with arguments that make an
 * allowed call fail at its first check. Pointer 1 is never mapped, so a copy from it
 * fails with EFAULT; fd -1 gives EBADF. The expected natural errno (as root) is the
 * comment; ENOSYS where the kernel lacks the call or was built without it.
 */
static const struct known_call known_calls[] = {
	{"acct", SYS_acct, {1}},                                  /* EFAULT: getname(1) */
	{"add_key", SYS_add_key, {1, 1, 0, 0, 0}},                /* EFAULT: type string */
	{"bpf", SYS_bpf, {0, 1, 8}},                              /* EFAULT: attr copy */
	{"clock_adjtime", SYS_clock_adjtime, {0, 1}},             /* EFAULT: timex copy */
	{"clock_settime", SYS_clock_settime, {0, 1}},             /* EFAULT: timespec copy */
	/* CLONE_NEWNS|CLONE_FS is refused before anything is made: EINVAL (kernel/fork.c). */
	{"clone", SYS_clone, {P_CLONE_NEWNS | P_CLONE_FS, 0, 0, 0, 0}},
	{"create_module", NR_create_module, {0}},                 /* ENOSYS: gone since 2.6 */
	{"delete_module", SYS_delete_module, {1, 0}},             /* EFAULT: name copy */
	{"finit_module", SYS_finit_module, {-1, 1, 0}},           /* EBADF: fd -1 */
	{"get_kernel_syms", NR_get_kernel_syms, {0}},             /* ENOSYS */
	{"get_mempolicy", SYS_get_mempolicy, {0, 0, 0, 0, ~0L}},  /* EINVAL: flags */
	{"init_module", SYS_init_module, {1, 4096, 1}},           /* EFAULT: image copy */
	{"ioperm", NR_ioperm, {0x10000, 1, 0}},                   /* EINVAL: past port 65535 */
	{"iopl", NR_iopl, {4}},                                   /* EINVAL: level > 3 */
	{"kcmp", SYS_kcmp, {0, 0, 0, 0, 0}},                      /* ESRCH: pid 0 */
	{"kexec_file_load", SYS_kexec_file_load, {-1, -1, 0, 0, ~0L}}, /* EINVAL: flags */
	{"kexec_load", SYS_kexec_load, {0, 1000000, 0, ~0L}},     /* EINVAL: flags, segments */
	{"keyctl", SYS_keyctl, {99999, 0, 0, 0, 0}},              /* EOPNOTSUPP: operation */
	{"lookup_dcookie", NR_lookup_dcookie, {0, 1, 0}},         /* ENOSYS since 6.9 */
	{"mbind", SYS_mbind, {0, 0, 99, 0, 0, 0}},                /* EINVAL: mode 99 */
	/* Type pointer 1: copy_mount_string(type) fails first, EFAULT (fs/namespace.c). */
	{"mount", SYS_mount, {P(nowhere), P(nowhere), 1, 0, 0}},
	{"move_pages", SYS_move_pages, {0, 1, 1, 0, 1, ~0L}},     /* EINVAL: flags */
	{"name_to_handle_at", SYS_name_to_handle_at, {P_AT_FDCWD, 1, 1, 1, 0}}, /* EFAULT */
	{"nfsservctl", NR_nfsservctl, {0}},                       /* ENOSYS since 3.1 */
	{"open_by_handle_at", SYS_open_by_handle_at, {-1, 1, 0}}, /* EBADF: mount fd -1 */
	{"perf_event_open", SYS_perf_event_open, {1, 0, -1, -1, 0}}, /* EFAULT: attr copy */
	/* PER_BSD (6): Docker allows only 0, 8, 0x20000, 0x20008 and 0xffffffff. Allowed, it
	 * succeeds and changes only this short-lived process's persona: errno 0. */
	{"personality", SYS_personality, {6}},
	{"pivot_root", SYS_pivot_root, {1, 1}},                   /* EFAULT: new_root path */
	{"process_vm_readv", SYS_process_vm_readv, {0, 0, 0, 0, 0, ~0L}},  /* EINVAL: flags */
	{"process_vm_writev", SYS_process_vm_writev, {0, 0, 0, 0, 0, ~0L}}, /* EINVAL: flags */
	{"ptrace", SYS_ptrace, {12 /* PTRACE_GETREGS */, 0, 0, 0}}, /* ESRCH: pid 0 */
	{"query_module", NR_query_module, {0}},                   /* ENOSYS */
	{"quotactl", SYS_quotactl, {0xff, 0, 0, 0}},              /* EINVAL: quota type 255 */
	/* Magic numbers 0: EINVAL before any command is looked at (kernel/reboot.c). */
	{"reboot", SYS_reboot, {0, 0, 0, 0}},
	{"request_key", SYS_request_key, {1, 1, 0, 0}},           /* EFAULT: type string */
	{"set_mempolicy", SYS_set_mempolicy, {99, 0, 0}},         /* EINVAL: mode 99 */
	{"setns", SYS_setns, {-1, 0}},                            /* EBADF: fd -1 */
	{"settimeofday", SYS_settimeofday, {0, 1}},               /* EFAULT: timezone copy */
	/* Call 0 is no socket call: EINVAL (net/socket.c). i386, s390, ...; not arm EABI. */
	{"socketcall", NR_socketcall, {0, 1}},
	{"stime", NR_stime, {1}},                                 /* i386 only */
	{"swapon", SYS_swapon, {P(nowhere), 0}},                  /* ENOENT: no such path */
	{"swapoff", SYS_swapoff, {P(nowhere)}},                   /* ENOENT: no such path */
	{"sysfs", NR_sysfs, {99, 0, 0}},                          /* EINVAL: option 99 */
	{"_sysctl", NR__sysctl, {1}},                             /* ENOSYS since 5.5 */
	{"umount", NR_umount, {P(nowhere)}},                      /* i386 only */
	{"umount2", SYS_umount2, {P(nowhere), ~0L}},              /* EINVAL: flags */
	/* Bit 0 is not an unshare flag: EINVAL before anything is unshared (kernel/fork.c). */
	{"unshare", SYS_unshare, {P_CLONE_NEWUSER | 1}},
	{"uselib", NR_uselib, {1}},                               /* ENOSYS (!CONFIG_USELIB) */
	{"userfaultfd", SYS_userfaultfd, {~0L}},                  /* EINVAL: flags */
	{"ustat", NR_ustat, {0, 1}},                              /* EINVAL: device 0 */
	{"vm86", NR_vm86, {0, 0}},                                /* i386 only */
	{"vm86old", NR_vm86old, {0}},                             /* i386 only */
};

/* Every syscall the C library's headers name for this ABI, for `call` of other names. */
struct named_nr {
	const char *name;
	long nr;
};

static const struct named_nr all_calls[] = {
#define ENTRY(name) {#name, SYS_##name},
#include "probe-syscalls.h"
#undef ENTRY
};

static long raw_syscall(long nr, const long a[6]);

/* ---- output --------------------------------------------------------------------- */

static const char *errno_name(int e)
{
	static char buf[16];
	const char *name = e == 0 ? "0" : strerrorname_np(e);
	if (name == NULL) {
		snprintf(buf, sizeof buf, "E%d", e);
		name = buf;
	}
	return name;
}

/* `ret` is the kernel's raw return: -4095..-1 is an error. */
static int report(const char *name, long ret)
{
	int e = ret < 0 && ret >= -4095 ? (int)-ret : 0;
	printf("%s errno=%s ret=%ld\n", name, errno_name(e), e ? -1L : ret);
	return e;
}

static int usage(void)
{
	fputs("usage: probe call NAME [a0..a5] | describe NAME [a0..a5] | nr N [a0..a5]\n"
	      "       probe i386 N [a0..a5] | x32 N [a0..a5]\n"
	      "       probe socket-high | threads N [NAME [a0..a5]] | fork-exec PATH [ARG]...\n"
	      "       probe sigmask | fds | clone3\n",
	      stderr);
	return EXIT_USAGE;
}

/* Decimal, or hexadecimal with 0x; a leading '-' negates. Never octal. */
static int parse_value(const char *s, long *out)
{
	const char *p = s;
	int negative = 0;
	if (*p == '-') {
		negative = 1;
		p++;
	}
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(p, &end, base);
	if (errno != 0 || *end != '\0' || *p == '-' || *p == '+') {
		fprintf(stderr, "probe: \"%s\" is not a number (decimal or 0x...)\n", s);
		return -1;
	}
	*out = negative ? -(long)v : (long)v;
	return 0;
}

/* argv[0..argc) are up to six arguments; missing ones stay as given in a[]. */
static int parse_args(int argc, char **argv, long a[6])
{
	if (argc > 6) {
		fputs("probe: at most six syscall arguments\n", stderr);
		return -1;
	}
	for (int i = 0; i < argc; i++)
		if (parse_value(argv[i], &a[i]) != 0)
			return -1;
	return 0;
}

/* ---- raw syscalls ------------------------------------------------------------------ */

/*
 * The call and what follows it must not depend on libc wrappers: glibc's own wrappers
 * rewrite some calls (fork is clone, for one) and keep errno per thread. A fork-like
 * call that succeeds returns 0 in a child, which leaves at once.
 */
static int is_fork_like(long nr)
{
	return
#ifdef SYS_fork
	    nr == SYS_fork ||
#endif
#ifdef SYS_vfork
	    nr == SYS_vfork ||
#endif
	    nr == SYS_clone || nr == SYS_clone3;
}

#if defined(__x86_64__)
static long raw_syscall(long nr, const long a[6])
{
	register long r10 __asm__("r10") = a[3];
	register long r8 __asm__("r8") = a[4];
	register long r9 __asm__("r9") = a[5];
	long ret = nr;
	__asm__ volatile("syscall"
			 : "+a"(ret)
			 : "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * An i386 syscall from this 64-bit process: `int $0x80` enters the kernel's compat path
 * (arch/x86/entry/entry_64_compat.S), which marks the task TS_COMPAT, so seccomp sees
 * AUDIT_ARCH_I386 and i386 numbers. Arguments are ebx ecx edx esi edi ebp, truncated to
 * 32 bits; the kernel clears r8-r11 on the way out. ebp has no constraint letter and may
 * be the frame pointer, so it is swapped with r12 around the call.
 */
static long int80_syscall(long nr, const long a[6])
{
	register long r12 __asm__("r12") = a[5];
	long ret = nr;
	__asm__ volatile("xchg %%rbp, %%r12\n\t"
			 "int $0x80\n\t"
			 "xchg %%rbp, %%r12"
			 : "+a"(ret), "+r"(r12)
			 : "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	/* The compat return value is a 32-bit int sign-extended in rax. */
	return (long)(int)ret;
}
#else
static long raw_syscall(long nr, const long a[6])
{
	long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret == -1 ? -(long)errno : ret;
}
#endif

static int run_call(const char *label, long nr, const long a[6])
{
	long ret = raw_syscall(nr, a);
	if (ret == 0 && is_fork_like(nr))
		syscall(SYS_exit, 0); /* a child: leave without touching the parent's stdio */
	return report(label, ret);
}

/* ---- subcommands ----------------------------------------------------------------- */

/* Finds NAME: the curated list first, then every name the headers know. */
static int find_call(const char *name, long *nr, long a[6])
{
	for (size_t i = 0; i < sizeof known_calls / sizeof known_calls[0]; i++) {
		if (strcmp(known_calls[i].name, name) == 0) {
			*nr = known_calls[i].nr;
			memcpy(a, known_calls[i].args, sizeof known_calls[i].args);
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof all_calls / sizeof all_calls[0]; i++) {
		if (strcmp(all_calls[i].name, name) == 0) {
			*nr = all_calls[i].nr;
			memset(a, 0, 6 * sizeof a[0]);
			return 0;
		}
	}
	return -1;
}

static int resolve_call(int argc, char **argv, long *nr, long a[6])
{
	if (argc < 1)
		return usage();
	if (find_call(argv[0], nr, a) != 0) {
		fprintf(stderr, "probe: unknown syscall \"%s\"\n", argv[0]);
		return EXIT_USAGE;
	}
	/* Arguments on the command line replace the curated ones, all six of them. */
	if (argc > 1) {
		memset(a, 0, 6 * sizeof a[0]);
		if (parse_args(argc - 1, argv + 1, a) != 0)
			return EXIT_USAGE;
	}
	return 0;
}

/*
 * `call NAME [a0..a5]` makes the call. `describe NAME [a0..a5]` prints the call that `call`
 * would make, in the syntax of `sandboxrun check`, `NAME(a0,a1,a2,a3,a4,a5)` in hex,
 * without making it, so that a script can ask sandboxrun about the very arguments the
 * probe passes. Both say `NAME absent` (exit 200) where this ABI has no such syscall.
 */
static int cmd_call(int argc, char **argv, int describe)
{
	long nr, a[6];
	int rc = resolve_call(argc, argv, &nr, a);
	if (rc != 0)
		return rc;
	if (nr == NONE) {
		printf("%s absent\n", argv[0]);
		return EXIT_ABSENT;
	}
	if (!describe)
		return run_call(argv[0], nr, a);
	printf("%s(", argv[0]);
	for (int i = 0; i < 6; i++)
		printf("%s0x%lx", i ? "," : "", (unsigned long)a[i]);
	puts(")");
	return 0;
}

/* nr / i386 / x32: a number and up to six arguments, default 0. */
static int parse_numbered(int argc, char **argv, long *nr, long a[6])
{
	if (argc < 1)
		return usage();
	memset(a, 0, 6 * sizeof a[0]);
	if (parse_value(argv[0], nr) != 0 || parse_args(argc - 1, argv + 1, a) != 0)
		return EXIT_USAGE;
	return 0;
}

static int cmd_nr(int argc, char **argv)
{
	long nr, a[6];
	char label[32];
	int rc = parse_numbered(argc, argv, &nr, a);
	if (rc != 0)
		return rc;
	snprintf(label, sizeof label, "nr:%ld", nr);
	return run_call(label, nr, a);
}

#if defined(__x86_64__)
static sigjmp_buf int80_fault;

static void on_int80_fault(int sig)
{
	siglongjmp(int80_fault, sig);
}
#endif

/*
 * A kernel without IA-32 emulation (CONFIG_IA32_EMULATION=n, ia32_emulation=0, or a
 * hypervisor that turns it off) has no gate for vector 0x80: the instruction raises a
 * #GP, the process gets SIGSEGV, and seccomp never sees a syscall. The probe catches
 * that SIGSEGV and reports the ABI as absent (exit 200), so a spec can tell "this kernel
 * has no i386 syscalls" from "the filter killed the call" (SIGSYS, never caught).
 */
static int cmd_i386(int argc, char **argv)
{
	long nr, a[6];
	char label[32];
	int rc = parse_numbered(argc, argv, &nr, a);
	if (rc != 0)
		return rc;
	snprintf(label, sizeof label, "i386:%ld", nr);
#if defined(__x86_64__)
	struct sigaction sa = {.sa_handler = on_int80_fault, .sa_flags = SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(int80_fault, 1) != 0) {
		printf("%s absent\n", label);
		puts("i386: int $0x80 raised SIGSEGV: this kernel runs no IA-32 syscalls");
		return EXIT_ABSENT;
	}
	long ret = int80_syscall(nr, a);
	signal(SIGSEGV, SIG_DFL);
	/* i386 fork (2), vfork (190) and clone (120) would return 0 in a child here too. */
	if (ret == 0 && (nr == 2 || nr == 190 || nr == 120))
		syscall(SYS_exit, 0);
	return report(label, ret);
#else
	printf("%s absent\n", label);
	return EXIT_ABSENT;
#endif
}

/*
 * x32 numbers are x86_64's `syscall` instruction with bit 30 set; seccomp sees them with
 * AUDIT_ARCH_X86_64. A kernel without CONFIG_X86_X32_ABI answers ENOSYS, but only after
 * seccomp has judged the number.
 */
static int cmd_x32(int argc, char **argv)
{
	long nr, a[6];
	char label[32];
	int rc = parse_numbered(argc, argv, &nr, a);
	if (rc != 0)
		return rc;
	snprintf(label, sizeof label, "x32:%ld", nr);
#if defined(__x86_64__)
	return report(label, raw_syscall(nr | P_X32_SYSCALL_BIT, a));
#else
	printf("%s absent\n", label);
	return EXIT_ABSENT;
#endif
}

/*
 * socket(2) takes an int family, but seccomp sees the whole 64-bit register. Docker's
 * rules for socket compare 64-bit values (a0 < 38, a0 == 39, a0 > 40 are allowed), so
 * 0x100000026 passes `a0 > 40` while the kernel reads its low half: 38, AF_ALG, which
 * the profile means to deny. The kernel's answer says what it saw: EAFNOSUPPORT when it
 * has no AF_ALG, ESOCKTNOSUPPORT from AF_ALG itself (it takes SOCK_SEQPACKET only).
 */
static int cmd_socket_high(void)
{
#if __SIZEOF_LONG__ < 8
	/* A 32-bit ABI (arm on aarch64, i386) has no high half to set. */
	puts("socket-high absent");
	return EXIT_ABSENT;
#else
	const long a[6] = {(long)0x100000026LL, SOCK_STREAM, 0};
	long ret = raw_syscall(SYS_socket, a);
	int e = report("socket-high", ret);
	if (e == EPERM)
		puts("socket-high: denied: the filter looked at all 64 bits of the family");
	else
		printf("socket-high: reached the kernel, which read family %d (AF_ALG) from "
		       "a0=0x100000026\n",
		       (int)a[0]);
	if (ret >= 0)
		close((int)ret);
	return e;
#endif
}

struct thread_job {
	int index;
	const char *name;
	long nr;
	long a[6];
	long ret;
};

static void *thread_main(void *p)
{
	struct thread_job *job = p;
	job->ret = raw_syscall(job->nr, job->a);
	return NULL;
}

/* N threads each make the call once; their results are printed after all joined. */
static int cmd_threads(int argc, char **argv)
{
	if (argc < 1)
		return usage();
	long n;
	if (parse_value(argv[0], &n) != 0 || n < 1 || n > 1024) {
		fputs("probe: threads: N is 1..1024\n", stderr);
		return EXIT_USAGE;
	}
	long nr = SYS_getpid, a[6] = {0};
	const char *name = "getpid";
	if (argc > 1) {
		int rc = resolve_call(argc - 1, argv + 1, &nr, a);
		if (rc != 0)
			return rc;
		name = argv[1];
		if (nr == NONE) {
			printf("%s absent\n", name);
			return EXIT_ABSENT;
		}
		if (is_fork_like(nr)) {
			fputs("probe: threads: not with a fork-like call\n", stderr);
			return EXIT_USAGE;
		}
	}
	struct thread_job *jobs = calloc((size_t)n, sizeof *jobs);
	pthread_t *ids = calloc((size_t)n, sizeof *ids);
	if (jobs == NULL || ids == NULL) {
		perror("probe: threads");
		return EXIT_PROBE_FAILED;
	}
	int started = 0, failed = 0;
	for (long i = 0; i < n; i++) {
		jobs[i] = (struct thread_job){.index = (int)i, .name = name, .nr = nr};
		memcpy(jobs[i].a, a, sizeof a);
		int rc = pthread_create(&ids[i], NULL, thread_main, &jobs[i]);
		if (rc != 0) {
			fprintf(stderr, "probe: threads: pthread_create: %s (%s)\n", strerror(rc),
				errno_name(rc));
			failed = 1;
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(ids[i], NULL);
	for (int i = 0; i < started; i++) {
		char label[64];
		snprintf(label, sizeof label, "thread %d: %s", i, name);
		report(label, jobs[i].ret);
	}
	printf("threads: %d started, %d joined\n", started, started);
	free(jobs);
	free(ids);
	return failed ? EXIT_PROBE_FAILED : 0;
}

/* Exit status of a child the shell's way: its code, or 128 + the signal. */
static int describe_status(const char *who, pid_t pid, int status)
{
	if (WIFEXITED(status)) {
		printf("%s: child %d exited %d\n", who, (int)pid, WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		printf("%s: child %d killed by signal %d (%s)\n", who, (int)pid, WTERMSIG(status),
		       sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
		return 128 + WTERMSIG(status);
	}
	printf("%s: child %d status 0x%x\n", who, (int)pid, status);
	return EXIT_PROBE_FAILED;
}

static int cmd_fork_exec(int argc, char **argv)
{
	if (argc < 1)
		return usage();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "probe: fork-exec: fork: %s (%s)\n", strerror(errno), errno_name(errno));
		return EXIT_PROBE_FAILED;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "probe: fork-exec: %s: %s (%s)\n", argv[0], strerror(errno),
			errno_name(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("probe: fork-exec: waitpid");
			return EXIT_PROBE_FAILED;
		}
	}
	return describe_status("fork-exec", pid, status);
}

/* A signal set from a /proc/self/status line such as "SigBlk:\t0000000000010000". */
static int read_status_mask(const char *key, unsigned long long *mask)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return -1;
	char line[256];
	size_t len = strlen(key);
	int found = -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			*mask = strtoull(line + len + 1, NULL, 16);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static void print_mask(const char *label, unsigned long long mask)
{
	printf("%s:", label);
	if (mask == 0)
		fputs(" none", stdout);
	for (int sig = 1; sig <= 64; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;
		if (abbrev != NULL)
			printf(" SIG%s", abbrev);
		else
			printf(" %d", sig);
	}
	putchar('\n');
}

/*
 * What the target got: the kernel's view (/proc/self/status, which also shows the
 * signals glibc keeps for itself, 32 and 33) of the blocked, ignored and pending
 * signals, and SIGPIPE's disposition. Exit 0 when nothing is blocked and SIGPIPE is
 * default, as a shell would start a program.
 */
static int cmd_sigmask(void)
{
	unsigned long long blocked = 0, ignored = 0, pending = 0, shared = 0;
	if (read_status_mask("SigBlk", &blocked) != 0) {
		sigset_t set;
		sigprocmask(SIG_BLOCK, NULL, &set);
		for (int sig = 1; sig <= 64; sig++)
			if (sigismember(&set, sig) == 1)
				blocked |= 1ULL << (sig - 1);
	}
	read_status_mask("SigIgn", &ignored);
	read_status_mask("SigPnd", &pending);
	read_status_mask("ShdPnd", &shared);
	struct sigaction sa;
	sigaction(SIGPIPE, NULL, &sa);
	const char *pipe = sa.sa_handler == SIG_DFL ? "default"
			   : sa.sa_handler == SIG_IGN ? "ignored"
						      : "handled";
	print_mask("blocked", blocked);
	print_mask("ignored", ignored);
	print_mask("pending", pending | shared);
	printf("sigpipe: %s\n", pipe);
	int ok = blocked == 0 && sa.sa_handler == SIG_DFL;
	printf("sigmask: %s\n", ok ? "ok" : "not as a shell starts a program");
	return ok ? 0 : 1;
}

/* Open fds from /proc/self/fd, without the directory's own. Exit 0 for exactly 0, 1, 2. */
static int cmd_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	if (dir == NULL) {
		perror("probe: fds: /proc/self/fd");
		return EXIT_PROBE_FAILED;
	}
	int self = dirfd(dir), count = 0, std = 0, extra = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		int fd = atoi(entry->d_name);
		if (fd == self)
			continue;
		char path[64], target[4096];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = '\0';
		int flags = fcntl(fd, F_GETFD);
		printf("fd %d -> %s%s\n", fd, target, flags >= 0 && (flags & FD_CLOEXEC) ? " (cloexec)" : "");
		count++;
		if (fd <= 2)
			std++;
		else
			extra++;
	}
	closedir(dir);
	int ok = std == 3 && extra == 0;
	printf("fds: %d open, %s\n", count, ok ? "exactly 0, 1, 2" : "not exactly 0, 1, 2");
	return ok ? 0 : 1;
}

static void *thread_noop(void *p)
{
	return p;
}

/*
 * clone3 with size 0, below CLONE_ARGS_SIZE_VER0: EINVAL from the kernel (kernel/fork.c
 * copy_clone_args_from_user) when allowed. Then what glibc does with the answer: fork()
 * is the clone syscall in glibc 2.34+, and pthread_create tries clone3 first and falls
 * back to clone only on ENOSYS, which is why runc's stub answers ENOSYS.
 */
static int cmd_clone3(void)
{
	const long a[6] = {1, 0};
	int e = run_call("clone3", SYS_clone3, a);

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		printf("clone3: fork failed: %s\n", errno_name(errno));
	} else {
		int status;
		waitpid(pid, &status, 0);
		printf("clone3: fork %s\n", WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "child failed");
	}

	pthread_t thread;
	int rc = pthread_create(&thread, NULL, thread_noop, NULL);
	if (rc != 0) {
		printf("clone3: pthread_create failed: %s\n", errno_name(rc));
	} else {
		pthread_join(thread, NULL);
		puts("clone3: pthread_create ok");
	}
	return e;
}

int main(int argc, char **argv)
{
	/* Lines reach a pipe before a filter's KILL can lose them. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A probe killed by SIGSYS leaves no core file behind in the specs' directories. */
	const struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);

	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	int rest = argc - 2;
	char **args = argv + 2;
	if (strcmp(cmd, "call") == 0)
		return cmd_call(rest, args, 0);
	if (strcmp(cmd, "describe") == 0)
		return cmd_call(rest, args, 1);
	if (strcmp(cmd, "nr") == 0)
		return cmd_nr(rest, args);
	if (strcmp(cmd, "i386") == 0)
		return cmd_i386(rest, args);
	if (strcmp(cmd, "x32") == 0)
		return cmd_x32(rest, args);
	if (strcmp(cmd, "socket-high") == 0 && rest == 0)
		return cmd_socket_high();
	if (strcmp(cmd, "threads") == 0)
		return cmd_threads(rest, args);
	if (strcmp(cmd, "fork-exec") == 0)
		return cmd_fork_exec(rest, args);
	if (strcmp(cmd, "sigmask") == 0 && rest == 0)
		return cmd_sigmask();
	if (strcmp(cmd, "fds") == 0 && rest == 0)
		return cmd_fds();
	if (strcmp(cmd, "clone3") == 0 && rest == 0)
		return cmd_clone3();
	return usage();
}
