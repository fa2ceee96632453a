/* i386 syscall numbers for check-constants (see check-constants.c). */
#include <stdio.h>

#include <asm/unistd_32.h>

void print_nr_x86(void);

void print_nr_x86(void)
{
#define ENTRY(name) printf("x86 %s %lld\n", #name, (long long)(__NR_##name));
#include "nr-32.h"
#undef ENTRY
}
