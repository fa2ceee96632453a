namespace SandboxRun.EndToEnd;

/// <summary>
/// What Docker's default profile is for: the syscalls of Docker's documented blocked list
/// (seeds/004) fail with EPERM under <c>sandboxrun run</c>, and the ways around a filter
/// (another ABI, the high half of an argument, a thread, a child) do not get past it.
/// Every denial has its control, the probe without sandboxrun, so that the kernel's own
/// EPERM is never taken for the filter's.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class AttackSpecs : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Docker's documented blocked list, the names x86_64 has, with the capability whose
    /// rule in the current profile allows the call again (null: none does). From
    /// moby-default-current.json's <c>includes.caps</c>; where two caps each unlock a call
    /// (bpf: CAP_SYS_ADMIN or CAP_BPF; perf_event_open: CAP_SYS_ADMIN or CAP_PERFMON) the
    /// table names one and <see cref="I_can_unlock_a_blocked_syscall_with_another_capability_or_spelling"/>
    /// the other.
    /// </summary>
    private static readonly (string Name, string? Cap)[] BlockedList =
    [
        ("acct", "CAP_SYS_PACCT"),
        ("add_key", null),
        ("bpf", "CAP_SYS_ADMIN"),
        ("clock_settime", "CAP_SYS_TIME"),
        ("clone", "CAP_SYS_ADMIN"), // the probe passes CLONE_NEWNS; see the clone spec below
        ("create_module", null),
        ("delete_module", "CAP_SYS_MODULE"),
        ("finit_module", "CAP_SYS_MODULE"),
        ("get_kernel_syms", null),
        ("get_mempolicy", "CAP_SYS_NICE"),
        ("init_module", "CAP_SYS_MODULE"),
        ("ioperm", "CAP_SYS_RAWIO"),
        ("iopl", "CAP_SYS_RAWIO"),
        ("kcmp", "CAP_SYS_PTRACE"),
        ("kexec_file_load", null),
        ("kexec_load", null),
        ("keyctl", null),
        ("lookup_dcookie", "CAP_SYS_ADMIN"),
        ("mbind", "CAP_SYS_NICE"),
        ("mount", "CAP_SYS_ADMIN"),
        ("move_pages", null),
        ("nfsservctl", null),
        ("open_by_handle_at", "CAP_DAC_READ_SEARCH"),
        ("perf_event_open", "CAP_SYS_ADMIN"),
        ("personality", null), // the probe passes PER_BSD (6); Docker allows 0, 8, 0x20000, 0x20008, 0xffffffff
        ("pivot_root", null),
        ("query_module", null),
        ("quotactl", "CAP_SYS_ADMIN"),
        ("reboot", "CAP_SYS_BOOT"),
        ("request_key", null),
        ("set_mempolicy", "CAP_SYS_NICE"),
        ("setns", "CAP_SYS_ADMIN"),
        ("settimeofday", "CAP_SYS_TIME"),
        ("swapon", null),
        ("swapoff", null),
        ("sysfs", null),
        ("_sysctl", null),
        ("umount2", "CAP_SYS_ADMIN"),
        ("unshare", "CAP_SYS_ADMIN"),
        ("uselib", null),
        ("userfaultfd", null),
        ("ustat", null),
    ];

    public static TheoryData<string> Blocked => [.. BlockedList.Select(b => b.Name)];

    public static TheoryData<string, string> Unlockable
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (name, cap) in BlockedList)
            {
                if (cap is not null)
                {
                    data.Add(name, cap);
                }
            }
            return data;
        }
    }

    /// <summary>
    /// On the list of 2016, allowed by today's profile: clock_adjtime and name_to_handle_at
    /// unconditionally, ptrace and process_vm_readv/writev from kernel 4.8 on (their rule
    /// has <c>includes.minKernel: "4.8"</c>, when ptrace stopped bypassing seccomp).
    /// </summary>
    public static TheoryData<string> AllowedSinceTheList => new()
    {
        "clock_adjtime",
        "name_to_handle_at",
        "process_vm_readv",
        "process_vm_writev",
        "ptrace",
    };

    public static TheoryData<string> AllowedFromKernel48 => new() { "process_vm_readv", "process_vm_writev", "ptrace" };

    /// <summary>On the list but i386-only: x86_64 has no such syscall, so the probe makes none.</summary>
    public static TheoryData<string> AbsentOnX86_64 => new() { "stime", "umount", "vm86", "vm86old" };

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Blocked))]
    public async Task I_cannot_make_a_syscall_of_Dockers_blocked_list_under_docker_default(string name)
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "call", name);

        // Assert
        Skip.If(result.ExitCode == Probe.Absent, $"{name} does not exist on this machine's ABI");
        Launch.AssertExit(Errno.EPERM, result);
        Assert.Equal(Probe.Failed(name, "EPERM"), result.StandardOutput);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Blocked))]
    public async Task I_can_see_the_natural_errno_of_a_blocked_syscall_without_sandboxrun(string name)
    {
        // Arrange
        Probe.SkipUnlessRoot();

        // Act
        var control = await Probe.RunAsync("call", name);

        // Assert: the probe's arguments make the call fail at the kernel's first check
        // (EFAULT, EBADF, EINVAL, ENOSYS, ...) or, for personality(PER_BSD), succeed: never
        // EPERM, so that the EPERM under the filter can only be the filter's.
        Skip.If(control.ExitCode == Probe.Absent, $"{name} does not exist on this machine's ABI");
        Assert.True(control.ExitCode is not Errno.EPERM and < Probe.Absent, Launch.Describe($"{name}: exit {control.ExitCode}", control));
        Assert.StartsWith($"{name} errno=", control.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("EPERM", control.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(Unlockable))]
    public async Task I_can_unlock_a_blocked_syscall_with_the_capability_its_rule_includes(string name, string cap)
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessRoot();
        var control = await Probe.RunAsync("call", name);
        Skip.If(control.ExitCode == Probe.Absent, $"{name} does not exist on this machine's ABI");

        // Act: --cap-add changes the set the profile's includes.caps are judged against; the
        // probe still runs as root, so the kernel gives the call its natural answer.
        var result = await Probe.UnderAsync([.. Launch.DockerDefault(), "--cap-add", cap], "call", name);

        // Assert
        Launch.AssertExit(control.ExitCode, result);
        Assert.Equal(control.StandardOutput, result.StandardOutput);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [InlineData("bpf", "CAP_BPF")]
    [InlineData("perf_event_open", "CAP_PERFMON")]
    [InlineData("mount", "SYS_ADMIN")] // Docker's short spelling of a capability
    public async Task I_can_unlock_a_blocked_syscall_with_another_capability_or_spelling(string name, string cap)
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessRoot();
        var control = await Probe.RunAsync("call", name);

        // Act
        var result = await Probe.UnderAsync([.. Launch.DockerDefault(), "--cap-add", cap], "call", name);

        // Assert
        Launch.AssertExit(control.ExitCode, result);
        Assert.NotEqual(Errno.EPERM, result.ExitCode);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_drop_a_capability_and_lose_exactly_the_syscalls_it_unlocked()
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessRoot();
        var options = (string[])[.. Launch.DockerDefault(), "--caps", "all", "--cap-drop", "CAP_SYS_ADMIN"];
        var reboot = await Probe.RunAsync("call", "reboot");

        // Act
        var mount = await Probe.UnderAsync(options, "call", "mount");
        var rebootUnder = await Probe.UnderAsync(options, "call", "reboot");

        // Assert: mount's rule needs CAP_SYS_ADMIN; reboot's needs CAP_SYS_BOOT, still in the set.
        Launch.AssertExit(Errno.EPERM, mount);
        Launch.AssertExit(reboot.ExitCode, rebootUnder);
        Assert.Equal(Probe.Failed("reboot", "EINVAL"), rebootUnder.StandardOutput);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(AllowedSinceTheList))]
    public async Task I_can_make_the_syscalls_that_Docker_has_allowed_since_it_wrote_the_list(string name)
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessRoot();
        Skip.IfNot(Environment.OSVersion.Version >= new Version(4, 8), "the running kernel is older than 4.8");
        var control = await Probe.RunAsync("call", name);

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "call", name);

        // Assert
        Launch.AssertExit(control.ExitCode, result);
        Assert.NotEqual(Errno.EPERM, result.ExitCode);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(AllowedFromKernel48))]
    public async Task I_cannot_ptrace_under_docker_default_when_I_say_the_kernel_is_4_7(string name)
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act: before 4.8 a ptracer could change a syscall after seccomp had allowed it, so
        // Docker grants ptrace only with CAP_SYS_PTRACE there.
        var old = await Probe.UnderAsync([.. Launch.DockerDefault(), "--kernel", "4.7"], "call", name);
        var traced = await Probe.UnderAsync([.. Launch.DockerDefault(), "--kernel", "4.7", "--cap-add", "CAP_SYS_PTRACE"], "call", name);

        // Assert
        Launch.AssertExit(Errno.EPERM, old);
        Assert.Equal(Probe.Failed(name, "EPERM"), old.StandardOutput);
        Assert.NotEqual(Errno.EPERM, traced.ExitCode);
    }

    [SkippableTheory(Timeout = SerialProcesses.Timeout)]
    [MemberData(nameof(AbsentOnX86_64))]
    public async Task I_can_see_that_the_i386_only_names_of_the_list_do_not_exist_on_x86_64(string name)
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64();

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "call", name);

        // Assert: the probe makes no syscall at all (its exit 200), under sandboxrun as without.
        Launch.AssertExit(Probe.Absent, result);
        Assert.Equal($"{name} absent\n", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_clone_without_namespace_flags_but_not_with_them()
    {
        // Arrange: Docker allows clone when (flags & 0x7E020000) == 0, the CLONE_NEW* bits.
        // CLONE_SIGHAND (0x800) without CLONE_VM is refused by the kernel itself (EINVAL), so
        // nothing is cloned when the filter lets it through.
        Probe.SkipIfMissing();

        // Act
        var plain = await Probe.UnderAsync(Launch.DockerDefault(), "call", "clone", "0x800");
        var newUser = await Probe.UnderAsync(Launch.DockerDefault(), "call", "clone", "0x10000800");

        // Assert
        Launch.AssertExit(Errno.EINVAL, plain);
        Launch.AssertExit(Errno.EPERM, newUser);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_make_a_user_namespace_with_util_linux_unshare_under_docker_default()
    {
        // Arrange
        Sandboxrun.SkipIfMissing();
        var unshare = Launch.Require("unshare");
        var control = await Launch.ProcessAsync(unshare, ["--user", "true"]);
        Skip.If(control.ExitCode != 0, Launch.Describe("unshare --user does not work here even without a filter", control));

        // Act
        var result = await Launch.RunAsync(Launch.DockerDefault(), [unshare, "--user", "true"]);

        // Assert
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_mount_through_int_0x80_under_docker_default()
    {
        // Arrange: i386 mount is 21; type pointer 1 makes it fail with EFAULT when allowed.
        Probe.SkipIfMissing();
        await Probe.SkipUnlessI386SyscallsWorkAsync();
        var control = await Probe.RunAsync("i386", "21", "0", "0", "1");

        // Act
        var mount = await Probe.UnderAsync(Launch.DockerDefault(), "i386", "21", "0", "0", "1");
        var getpid = await Probe.UnderAsync(Launch.DockerDefault(), "i386", "20");

        // Assert: the profile's x86 subarchitecture judges i386 calls by i386 numbers.
        Assert.Equal(Probe.Failed("i386:21", "EFAULT"), control.StandardOutput);
        Launch.AssertExit(Errno.EPERM, mount);
        Assert.Equal(Probe.Failed("i386:21", "EPERM"), mount.StandardOutput);
        Launch.AssertExit(0, getpid);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_make_an_i386_syscall_under_a_profile_without_the_x86_architecture()
    {
        // Arrange
        Probe.SkipIfMissing();
        await Probe.SkipUnlessI386SyscallsWorkAsync();

        // Act
        var result = await Probe.UnderAsync(["--profile", NativeOnlyProfile()], "i386", "20");

        // Assert: an arch the profile does not cover is killed (KILL_THREAD), as libseccomp does.
        Launch.AssertExit(Probe.KilledBySigsys, result);
        Assert.Equal("", result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_unshare_through_an_x32_syscall_number_under_docker_default()
    {
        // Arrange: x32 unshare is 272 | 0x40000000. Its argument is not a valid unshare flag
        // set, so a kernel with the x32 ABI that let it through would answer EINVAL.
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64();
        var control = await Probe.RunAsync("x32", "272", "0x10000001");

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "x32", "272", "0x10000001");

        // Assert: Docker's profile names x32 as a subarchitecture, so its x32 rules apply and
        // unshare is denied; a filter that killed instead would also keep the call out.
        Assert.NotEqual(Errno.EPERM, control.ExitCode);
        Assert.True(
            result.ExitCode is Errno.EPERM or Probe.KilledBySigsys,
            Launch.Describe($"exit {result.ExitCode}, expected EPERM (1) or SIGSYS (159)", result));
        if (result.ExitCode == Errno.EPERM)
        {
            Assert.Equal(Probe.Failed("x32:272", "EPERM"), result.StandardOutput);
        }
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_make_an_allowed_x32_syscall_under_docker_default()
    {
        // Arrange: x32 getpid (39). A kernel built without CONFIG_X86_X32_ABI answers ENOSYS
        // to every x32 number, but only after seccomp has judged it, so the answer is the
        // same under the filter as without it.
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64();
        var control = await Probe.RunAsync("x32", "39");

        // Act
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "x32", "39");

        // Assert
        Launch.AssertExit(control.ExitCode, result);
        Assert.Equal(control.StandardOutput, result.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_make_an_x32_syscall_under_a_profile_without_the_x32_architecture()
    {
        // Arrange
        Probe.SkipIfMissing();
        Probe.SkipUnlessX86_64();

        // Act
        var result = await Probe.UnderAsync(["--profile", NativeOnlyProfile()], "x32", "39");

        // Assert: x32 shares AUDIT_ARCH_X86_64, so only the number's bit 30 tells it apart;
        // libseccomp treats it as a foreign arch (KILL_THREAD), and the probe dies of SIGSYS.
        Launch.AssertExit(Probe.KilledBySigsys, result);
        Assert.Equal("", result.StandardOutput);
    }

    // A syscall of a foreign architecture (aarch64 on x86_64, say) cannot be made from
    // userspace at all: the arch word seccomp checks comes from the kernel's entry path,
    // not from the caller. Its KILL_THREAD is covered by the interpreter's unit tests.

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_see_the_64_bit_argument_trap_of_Dockers_socket_rule()
    {
        // Arrange
        Probe.SkipIfMissing();
        var control = await Probe.RunAsync("socket-high");

        // Act
        var af38 = await Probe.UnderAsync(Launch.DockerDefault(), "call", "socket", "38", "1", "0");
        var high = await Probe.UnderAsync(Launch.DockerDefault(), "socket-high");

        // Assert. Docker allows socket when a0 < 38, a0 == 39 or a0 > 40, compared as 64-bit
        // values (libseccomp compares both halves). AF_ALG (38) itself is denied. But
        // 0x100000026 is > 40 as a 64-bit value, so the rule allows it, and socket(2), whose
        // family is an int, reads only the low half: 38, AF_ALG. sandboxrun must predict
        // Docker, so it lets the call through exactly as Docker would: the kernel's own
        // answer (EAFNOSUPPORT without AF_ALG, ESOCKTNOSUPPORT from AF_ALG for SOCK_STREAM)
        // comes back, as it does without a filter. A profile that means "no AF_ALG" must
        // also mask the high half (SCMP_CMP_MASKED_EQ 0xffffffff) - lint's business.
        Launch.AssertExit(Errno.EPERM, af38);
        Assert.Equal(Probe.Failed("socket", "EPERM"), af38.StandardOutput);
        Assert.NotEqual(Errno.EPERM, control.ExitCode);
        Launch.AssertExit(control.ExitCode, high);
        Assert.Contains("socket-high: reached the kernel, which read family 38 (AF_ALG)", high.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_pass_an_allowed_value_with_garbage_in_its_high_half()
    {
        // Arrange: personality(8) is allowed; 0x100000008 is not 8 as a 64-bit value, though
        // the kernel (an unsigned int parameter) would read 8. The comparison fails closed.
        Probe.SkipIfMissing();
        var control = await Probe.RunAsync("call", "personality", "0x100000008");

        // Act
        var eight = await Probe.UnderAsync(Launch.DockerDefault(), "call", "personality", "8");
        var high = await Probe.UnderAsync(Launch.DockerDefault(), "call", "personality", "0x100000008");

        // Assert
        Launch.AssertExit(0, control);
        Launch.AssertExit(0, eight);
        Launch.AssertExit(Errno.EPERM, high);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_escape_the_filter_in_another_thread()
    {
        // Arrange
        Probe.SkipIfMissing();
        var control = await Probe.RunAsync("threads", "8", "unshare");

        // Act: pthread_create is clone3 first (ENOSYS from Docker's rule), then clone.
        var result = await Probe.UnderAsync(Launch.DockerDefault(), "threads", "8", "unshare");

        // Assert
        Launch.AssertExit(0, control);
        Assert.Equal(8, Sandboxrun.Lines(control.StandardOutput).Count(l => l.EndsWith(": unshare errno=EINVAL ret=-1", StringComparison.Ordinal)));
        Launch.AssertExit(0, result);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal(8, lines.Count(l => l.EndsWith(": unshare errno=EPERM ret=-1", StringComparison.Ordinal)));
        Assert.Equal("threads: 8 started, 8 joined", lines[^1]);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_cannot_escape_the_filter_in_a_child_or_a_grandchild_after_exec()
    {
        // Arrange
        Probe.SkipIfMissing();

        // Act: probe forks and execs a probe, which forks and execs a probe that unshares.
        var result = await Probe.UnderAsync(
            Launch.DockerDefault(),
            "fork-exec", Probe.Path, "fork-exec", Probe.Path, "call", "unshare");

        // Assert
        Launch.AssertExit(Errno.EPERM, result);
        var lines = Sandboxrun.Lines(result.StandardOutput);
        Assert.Equal("unshare errno=EPERM ret=-1", lines[0]);
        Assert.Equal(2, lines.Count(l => l.StartsWith("fork-exec: child ", StringComparison.Ordinal) && l.EndsWith(" exited 1", StringComparison.Ordinal)));
    }

    /// <summary>A profile for x86_64 alone, no subarchitectures: i386 and x32 calls are foreign.</summary>
    private string NativeOnlyProfile() => _temp.Write("x86_64-only.json", """
        {
          "defaultAction": "SCMP_ACT_ALLOW",
          "architectures": ["SCMP_ARCH_X86_64"],
          "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO" } ]
        }
        """);
}
