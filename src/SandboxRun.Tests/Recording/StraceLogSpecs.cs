using SandboxRun.Arch;
using SandboxRun.Recording;

namespace SandboxRun.Tests.Recording;

/// <summary>
/// The strace parser on the shapes strace 6 prints (pid prefixes, timestamps, split calls,
/// signals, personality changes, numbered calls, -c tables). The end-to-end specs feed it
/// real logs of this machine; these pin each shape alone.
/// </summary>
public sealed class StraceLogSpecs
{
    private static StraceLog Parse(string text, TargetArch? target = null, string? pid = null)
    {
        var log = new StraceLog(target ?? TargetArch.X86_64);
        log.Read("t.log", new StringReader(text), pid);
        return log;
    }

    private static string[] Names(StraceLog log, Arch.Arch abi) => log.Used.TryGetValue(abi, out var s) ? [.. s] : [];

    [Fact]
    public void I_can_read_strace_f_with_pid_prefixes_and_split_calls()
    {
        var log = Parse("""
            20259 execve("/usr/bin/sh", ["sh", "-c", "ls"], 0x7ffd4733c608 /* 47 vars */) = 0
            20259 brk(NULL)                         = 0x5608a643d000
            20259 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>
            20260 set_robust_list(0x7fa88c30ba20, 24 <unfinished ...>
            20259 <... clone resumed>, child_tidptr=0x7fa88c30ba10) = 20260
            20260 <... set_robust_list resumed>)    = 0
            20259 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=20260, si_uid=0, si_status=0} ---
            20259 rt_sigreturn({mask=[]})           = 20260
            20260 exit_group(0)                     = ?
            20260 +++ exited with 0 +++
            20259 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 20260
            20259 read(3</etc/passwd>, "root:x:0:0", 10) = 10
             > /usr/lib/x86_64-linux-gnu/libc.so.6(read+0x12) [0xf7d2]
            """);
        log.Complete(); // nothing to add: the execve is there, and it is a trace
        Assert.Equal(["brk", "clone", "execve", "exit_group", "read", "rt_sigreturn", "set_robust_list", "wait4"], Names(log, Arch.Arch.X86_64));
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void I_can_read_strace_f_on_stderr_with_timestamps()
    {
        var log = Parse("""
            10:11:12.123456 execve("/bin/true", ["true"], 0x7ffc /* 3 vars */) = 0
            [pid  4242] 10:11:12.223456 getppid() = 1 <0.000004>
            [pid  4242] 1700000000.123456 getpid() = 4242
                 0.000123 close(3)                   = 0
            """);
        Assert.Equal(["close", "execve", "getpid", "getppid"], Names(log, Arch.Arch.X86_64));
    }

    [Fact]
    public void I_can_see_a_32_bit_process_recorded_under_the_compat_abi()
    {
        // A 64-bit shell execs an i386 program: from the personality line on, that pid's
        // calls are x86 calls, and _llseek is a name x86_64 lacks.
        var log = Parse("""
            100 execve("./probe32", ["./probe32"], 0x7ffd /* 1 var */) = 0
            [ Process PID=100 runs in 32 bit mode. ]
            100 _llseek(3, 0, [0], SEEK_SET) = 0
            100 brk(NULL) = 0x8000
            101 getpid() = 101
            """);
        Assert.Equal(["_llseek", "brk"], Names(log, Arch.Arch.X86));
        Assert.Equal(["execve", "getpid"], Names(log, Arch.Arch.X86_64));
    }

    [Fact]
    public void I_can_read_calls_that_strace_prints_by_number()
    {
        var log = Parse("""
            7 syscall_0x1b6(0x1, 0x2) = -1 ENOSYS (Function not implemented)
            7 syscall_435(0x7ffc, 0x58) = 8
            """);
        Assert.Equal(["clone3", "pidfd_getfd"], Names(log, Arch.Arch.X86_64));
    }

    [Fact]
    public void I_can_read_the_per_process_files_of_strace_ff()
    {
        var log = new StraceLog(TargetArch.X86_64);
        log.Read("ff.1", new StringReader("execve(\"/bin/sh\", [\"sh\"], 0x1 /* 1 var */) = 0\n[ Process PID=1 runs in x32 mode. ]\n"), "1");
        log.Read("ff.2", new StringReader("getpid() = 2\n"), "2");
        log.Read("ff.1", new StringReader("read(0, \"\", 1) = 0\n"), "1");
        Assert.Equal(["execve", "getpid"], Names(log, Arch.Arch.X86_64));
        Assert.Equal(["read"], Names(log, Arch.Arch.X32));
    }

    [Fact]
    public void I_can_read_the_summary_tables_of_strace_c()
    {
        var log = Parse("""
            System call usage summary for 64 bit mode:
            % time     seconds  usecs/call     calls    errors syscall
            ------ ----------- ----------- --------- --------- ----------------
             60.60    0.013980        4660         3         1 wait4
              7.03    0.001622          23        69        29 openat
              0.00    0.000000           0         2           dup2
            ------ ----------- ----------- --------- --------- ----------------
            100.00    0.023068          66        74        30 total
            System call usage summary for 32 bit mode:
            % time     seconds  usecs/call     calls    errors syscall
            ------ ----------- ----------- --------- --------- ----------------
            100.00    0.000010          10         1           _llseek
            ------ ----------- ----------- --------- --------- ----------------
            100.00    0.000010          10         1           total
            """);
        Assert.Equal(["dup2", "openat", "wait4"], Names(log, Arch.Arch.X86_64));
        Assert.Equal(["_llseek"], Names(log, Arch.Arch.X86));

        // This summary has no execve, and no summary lists the calls that do not return:
        // all three are added, and said.
        log.Complete();
        Assert.Equal(["dup2", "execve", "exit", "exit_group", "openat", "wait4"], Names(log, Arch.Arch.X86_64));
        Assert.Equal(["_llseek", "exit", "exit_group"], Names(log, Arch.Arch.X86));
        Assert.Contains(log.Warnings, w => w.StartsWith("no execve in the log", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.StartsWith("strace -c does not count calls that never return", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_see_io_uring_named_as_what_a_log_cannot_show()
    {
        var log = Parse("""
            5 execve("./server", ["./server"], 0x1 /* 1 var */) = 0
            5 io_uring_setup(8, {flags=0, ...}) = 3
            """);

        log.Complete();

        Assert.Contains(log.Warnings, w => w.StartsWith("the program uses io_uring", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_see_where_a_log_is_not_strace_output_or_was_cut()
    {
        var log = Parse("""
            1 getpid() = 1
            hello from the program
            1 notacall_xyz() = 0
            1 openat(AT_FDCWD, "/etc/passwd", O_RDONLY
            """);
        Assert.Equal(["getpid", "openat"], Names(log, Arch.Arch.X86_64));
        Assert.Contains(log.Warnings, w => w.Contains("t.log:2", StringComparison.Ordinal) && w.Contains("not strace output", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.StartsWith("t.log:3: \"notacall_xyz\" is not a syscall of x86_64", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.StartsWith("t.log:4: the log ends inside a line", StringComparison.Ordinal));
    }

    [Fact]
    public void I_can_read_an_aarch64_log_with_its_own_names()
    {
        var log = Parse("""
            9 execve("/bin/true", ["true"], 0x1 /* 1 var */) = 0
            9 newfstatat(AT_FDCWD, "/", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0
            [ Process PID=9 runs in 32 bit mode. ]
            9 ARM_set_tls(0x1) = 0
            """, TargetArch.Aarch64);
        Assert.Equal(["execve", "newfstatat"], Names(log, Arch.Arch.Aarch64));
        // strace spells the ARM-private call ARM_set_tls; the kernel's table calls it set_tls.
        Assert.Equal(["set_tls"], Names(log, Arch.Arch.Arm));
        Assert.Empty(log.Warnings);
    }
}
