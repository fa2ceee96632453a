/*
 * x32 syscall numbers for check-constants (see check-constants.c).
 *
 * asm/unistd_x32.h defines each number as (__X32_SYSCALL_BIT + n), but it does not
 * define __X32_SYSCALL_BIT. That comes from asm/unistd.h, and on an x86_64 build
 * asm/unistd.h also pulls in asm/unistd_64.h, whose numbers would collide with these.
 * So the bit is taken from check-constants.c, which reads it from asm/unistd.h, and
 * this file includes only asm/unistd_x32.h.
 */
#include <stdio.h>

extern const long long check_x32_syscall_bit;
#define __X32_SYSCALL_BIT check_x32_syscall_bit
#include <asm/unistd_x32.h>

void print_nr_x32(void);

void print_nr_x32(void)
{
#define ENTRY(name) printf("x32 %s %lld\n", #name, (long long)(__NR_##name));
#include "nr-x32.h"
#undef ENTRY
}
