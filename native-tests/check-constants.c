/*
 * check-constants: print the syscall numbers and seccomp constants from the host's
 * Linux UAPI headers so that sandboxrun's generated tables can be checked against
 * them.
 *
 * Output, one item per line:
 *   <abi> <name> <decimal number>      abi: x86_64, x86, x32 (x32 numbers include bit 30)
 *   const <NAME> <decimal>
 *   sizeof struct <name> <decimal>
 *
 * The three asm/unistd_{64,32,x32}.h headers cannot share a translation unit. They
 * define the same __NR_* names, and because they are system headers the compiler
 * lets a later header silently redefine an earlier one's numbers. So this file
 * prints x86_64, and check-constants-x86.c and check-constants-x32.c print the other
 * two. The macro lists (build/nr-*.h, one ENTRY(name) per line) are made by the
 * Makefile from the text of the headers; they are never written by hand.
 */
#include <stdio.h>

#include <asm/unistd.h> /* __X32_SYSCALL_BIT */
#include <asm/unistd_64.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

void print_nr_x86(void);
void print_nr_x32(void);

/* Used by check-constants-x32.c as __X32_SYSCALL_BIT; see the comment there. */
const long long check_x32_syscall_bit = __X32_SYSCALL_BIT;

static void print_nr_x86_64(void)
{
#define ENTRY(name) printf("x86_64 %s %lld\n", #name, (long long)(__NR_##name));
#include "nr-64.h"
#undef ENTRY
}

#define CONST(name) printf("const %s %llu\n", #name, (unsigned long long)(name))
#define SIZEOF(type) printf("sizeof %s %zu\n", #type, sizeof(type))

int main(void)
{
	print_nr_x86_64();
	print_nr_x86();
	print_nr_x32();

	CONST(AUDIT_ARCH_X86_64);
	CONST(AUDIT_ARCH_I386);
	CONST(AUDIT_ARCH_AARCH64);
	CONST(AUDIT_ARCH_ARM);
	CONST(__X32_SYSCALL_BIT);

	CONST(SECCOMP_RET_KILL_PROCESS);
	CONST(SECCOMP_RET_KILL_THREAD);
	CONST(SECCOMP_RET_TRAP);
	CONST(SECCOMP_RET_ERRNO);
	CONST(SECCOMP_RET_USER_NOTIF);
	CONST(SECCOMP_RET_TRACE);
	CONST(SECCOMP_RET_LOG);
	CONST(SECCOMP_RET_ALLOW);
	CONST(SECCOMP_RET_ACTION_FULL);
	CONST(SECCOMP_RET_DATA);

	SIZEOF(struct sock_filter);
	SIZEOF(struct seccomp_data);

	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
