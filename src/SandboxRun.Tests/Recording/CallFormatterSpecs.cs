using SandboxRun.Recording;
using static SandboxRun.Arch.Arch;

namespace SandboxRun.Tests.Recording;

/// <summary>
/// --report prints a notified call as strace would: strings read from the task, AT_FDCWD,
/// flags of open, socket, clone, unshare, mmap and mprotect by name, NULL, and six hex values
/// for a call without a known signature.
/// </summary>
public sealed class CallFormatterSpecs
{
    private static string? Strings(ulong address) =>
        address switch
        {
            0x1000 => "/etc/shadow",
            0x2000 => "tmpfs",
            0x3000 => "/mnt",
            0x4000 => "a \"quoted\"\nline",
            _ => null,
        };

    private static string Format(string name, params ulong[] args) => Format(X86_64, name, args);

    private static string Format(SandboxRun.Arch.Arch arch, string name, params ulong[] args)
    {
        var six = new ulong[6];
        args.CopyTo(six, 0);
        return CallFormatter.Format(name, arch, six, Strings);
    }

    [Fact]
    public void I_can_see_openat_with_AT_FDCWD_the_path_and_its_flags() =>
        Assert.Equal("openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY)", Format("openat", unchecked((ulong)-100), 0x1000, 0));

    [Fact]
    public void I_can_see_the_spec_s_mount_line() =>
        Assert.Equal("mount(\"tmpfs\", \"/mnt\", \"tmpfs\", 0, NULL)", Format("mount", 0x2000, 0x3000, 0x2000, 0, 0));

    [Fact]
    public void I_can_see_open_flags_as_the_arch_spells_them()
    {
        // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, and O_DIRECTORY, which aarch64 puts elsewhere
        Assert.Equal("open(\"/etc/shadow\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)", Format("open", 0x1000, 0x80241, 0x1a4));
        Assert.Equal("openat(3, \"/etc/shadow\", O_RDONLY|O_DIRECTORY)", Format("openat", 3, 0x1000, 0x10000, 0));
        Assert.Equal("openat(3, \"/etc/shadow\", O_RDONLY|O_DIRECTORY)", Format(Aarch64, "openat", 3, 0x1000, 0x4000, 0));
    }

    [Fact]
    public void I_can_see_clone_and_unshare_flags_with_the_exit_signal()
    {
        Assert.Equal("unshare(CLONE_NEWNS|CLONE_NEWUSER)", Format("unshare", 0x10020000));
        Assert.Equal("clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f00, NULL)", Format("clone", 0x1200011, 0, 0, 0x7f00, 0));
    }

    [Fact]
    public void I_can_see_socket_and_mmap_arguments_by_name()
    {
        Assert.Equal("socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, 0)", Format("socket", 10, 0x80001, 0));
        Assert.Equal("mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)", Format("mmap", 0, 4096, 3, 0x22, 0xffffffff, 0));
        Assert.Equal("mprotect(0x7f0000, 4096, PROT_NONE)", Format("mprotect", 0x7f0000, 4096, 0));
    }

    [Fact]
    public void I_can_see_a_pointer_where_a_string_cannot_be_read_and_escapes_where_it_can()
    {
        Assert.Equal("acct(0x1)", Format("acct", 1));
        Assert.Equal("chdir(\"a \\\"quoted\\\"\\nline\")", Format("chdir", 0x4000));
    }

    [Fact]
    public void I_can_see_six_hex_arguments_for_a_call_without_a_signature() =>
        Assert.Equal("syslog(2, 0x10, 0, 0, 0, 0xffffffffffffffff)", Format("syslog", 2, 16, 0, 0, 0, ulong.MaxValue));

    [Fact]
    public void I_can_see_32_bit_arguments_of_a_compat_call_cut_to_32_bits() =>
        Assert.Equal("kill(5, SIGKILL)", Format(X86, "kill", 0xdead00000005, 9));

    /// <summary>The names strace prints, number by number: of two names for one number, never the old alias.</summary>
    [Fact]
    public void I_can_see_every_standard_signal_by_the_name_strace_gives_it()
    {
        string[] strace =
        [
            "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
            "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
            "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
        ];
        Assert.Equal(strace, Enumerable.Range(0, 32).Select(CallFormatter.SignalName));
        Assert.Equal("34", CallFormatter.SignalName(34));
    }
}
