/*
 * The launch window of sandboxrun, in one native call: install each seccomp layer, then
 * execve. Linked statically into the Native AOT binary (see SandboxRun.csproj), and called
 * through an ordinary P/Invoke, so the calling thread is in preemptive mode for the whole
 * window: the .NET runtime neither signals it nor makes it wait for a collection, and no
 * managed code runs between the filter and the new program. Under the filter this code
 * makes exactly the seccomp(2) calls for the later layers and execve(2).
 *
 * Returns only on failure: the errno, with *failed set to the index of the layer that the
 * kernel refused, or to count when execve failed.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

int sandboxrun_seccomp_execve(const struct sock_fprog *programs, const unsigned int *flags, int count,
                              const char *path, char *const argv[], char *const envp[], int *failed)
{
    for (int i = 0; i < count; i++) {
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags[i], &programs[i]) != 0) {
            *failed = i;
            return errno;
        }
    }
    execve(path, argv, envp);
    *failed = count;
    return errno;
}
