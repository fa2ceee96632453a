/*
 * filter-bench: nanoseconds per syscall under real seccomp filters, side by side.
 *
 *   filter-bench DIR [CALLS [RUNS]]
 *
 * DIR holds raw struct sock_filter[] programs (the bytes of `sandboxrun compile --format
 * raw` or seccomp_export_bpf): sandboxrun.bpf, libseccomp-default.bpf, libseccomp-tree.bpf
 * (`scripts/bench-filter --native` writes them for docker-default). For each run and each
 * configuration (no filter first, then each program), a fresh child process installs the
 * program for real (PR_SET_NO_NEW_PRIVS + seccomp(SECCOMP_SET_MODE_FILTER)) and times CALLS
 * calls of:
 *   getppid()                    allowed without arguments: the kernel's action cache
 *                                (Linux 5.11+) may skip the filter entirely;
 *   personality(0xffffffff)      allowed by an argument check (Docker allows 5 personas;
 *                                0xffffffff only queries): the filter runs every time.
 * The configurations take turns within each run, so they share the machine's state; the
 * medians over RUNS are printed, with each as a ratio to the unfiltered call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 101

static const char *const programs[] = {NULL, "sandboxrun", "libseccomp-default", "libseccomp-tree"};
#define CONFIGS (sizeof programs / sizeof programs[0])

struct sample {
    double getppid_ns;
    double personality_ns;
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int load(const char *dir, const char *name, struct sock_fprog *prog)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bpf", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "filter-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    static unsigned char bytes[4096 * sizeof(struct sock_filter)];
    ssize_t n = read(fd, bytes, sizeof bytes);
    close(fd);
    if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter) != 0) {
        fprintf(stderr, "filter-bench: %s: not a whole number of 8-byte instructions\n", path);
        return -1;
    }
    prog->len = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter));
    prog->filter = malloc((size_t)n);
    memcpy(prog->filter, bytes, (size_t)n);
    return 0;
}

/* In the child: install the program (if any), time the calls, write one sample. */
static int measure(const struct sock_fprog *prog, long calls, int out)
{
    if (prog != NULL) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0) {
            fprintf(stderr, "filter-bench: seccomp: %s\n", strerror(errno));
            return 1;
        }
    }
    struct sample s;
    /* Warm up the path (and the cache line of the filter) before timing. */
    for (long i = 0; i < calls / 10; i++) {
        syscall(SYS_getppid);
        syscall(SYS_personality, 0xffffffffUL);
    }
    double start = now_ns();
    for (long i = 0; i < calls; i++) {
        syscall(SYS_getppid);
    }
    s.getppid_ns = (now_ns() - start) / (double)calls;
    start = now_ns();
    for (long i = 0; i < calls; i++) {
        if (syscall(SYS_personality, 0xffffffffUL) < 0) {
            fprintf(stderr, "filter-bench: personality(0xffffffff) was refused: %s\n", strerror(errno));
            return 1;
        }
    }
    s.personality_ns = (now_ns() - start) / (double)calls;
    return write(out, &s, sizeof s) == (ssize_t)sizeof s ? 0 : 1;
}

static int run_one(const struct sock_fprog *prog, long calls, struct sample *s)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(measure(prog, calls, fds[1]));
    }
    close(fds[1]);
    ssize_t n = read(fds[0], s, sizeof *s);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return n == (ssize_t)sizeof *s && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: filter-bench DIR [CALLS [RUNS]]\n");
        return 2;
    }
    long calls = argc > 2 ? atol(argv[2]) : 200000;
    int runs = argc > 3 ? atoi(argv[3]) : 15;
    if (calls <= 0 || runs <= 0 || runs > MAX_RUNS) {
        fprintf(stderr, "filter-bench: CALLS > 0, 0 < RUNS <= %d\n", MAX_RUNS);
        return 2;
    }
    struct sock_fprog progs[CONFIGS];
    for (size_t c = 1; c < CONFIGS; c++) {
        if (load(argv[1], programs[c], &progs[c]) != 0) {
            return 1;
        }
    }
    static double getppid_ns[CONFIGS][MAX_RUNS], personality_ns[CONFIGS][MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        for (size_t c = 0; c < CONFIGS; c++) {
            struct sample s;
            if (run_one(c == 0 ? NULL : &progs[c], calls, &s) != 0) {
                fprintf(stderr, "filter-bench: run %d of %s failed\n", r, programs[c] ? programs[c] : "no filter");
                return 1;
            }
            getppid_ns[c][r] = s.getppid_ns;
            personality_ns[c][r] = s.personality_ns;
        }
    }
    double base_g = median(getppid_ns[0], runs), base_p = median(personality_ns[0], runs);
    printf("ns per call, median of %d runs of %ld calls (ratio to no filter):\n\n", runs, calls);
    printf("| program | instructions | getppid() | personality(0xffffffff) |\n");
    printf("|---|---|---|---|\n");
    for (size_t c = 0; c < CONFIGS; c++) {
        double g = median(getppid_ns[c], runs), p = median(personality_ns[c], runs);
        char insns[16];
        snprintf(insns, sizeof insns, "%u", c == 0 ? 0U : (unsigned)progs[c].len);
        printf("| %s | %s | %.1f ns (%.2fx) | %.1f ns (%.2fx) |\n", c == 0 ? "no filter" : programs[c], c == 0 ? "-" : insns, g, g / base_g, p,
               p / base_p);
    }
    return 0;
}
