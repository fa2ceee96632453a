using SandboxRun.Bpf;
using SandboxRun.Profiles;
using SandboxRun.Recording;
using SandboxRun.Tests.Support;
using static SandboxRun.Arch.Arch;

namespace SandboxRun.Tests.Recording;

/// <summary>
/// The programs of the supervisor: --report notifies what the profile answers with an errno
/// and leaves the rest as it was; --complain also notifies kills and traps; record notifies
/// every call of every ABI.
/// </summary>
public sealed class WatchFilterSpecs
{
    private const string Profile = """
        { "defaultAction": "SCMP_ACT_ERRNO",
          "syscalls": [
            { "names": ["read", "write", "execve"], "action": "SCMP_ACT_ALLOW" },
            { "names": ["ptrace"], "action": "SCMP_ACT_KILL_PROCESS" },
            { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] } ] }
        """;

    private static uint Run(BpfProgram program, string name, params ulong[] args)
    {
        Assert.True(X86_64.TryGetNumber(name, out var nr));
        return Interpreter.Run(program, SeccompData.Of(AUDIT_ARCH_X86_64, nr, args)).ReturnValue;
    }

    [Fact]
    public void I_can_see_report_notify_errno_answers_only()
    {
        var program = WatchFilter.NotifyDenials(SeccompCompiler.Compile(Compile.Policy(Profile)), complain: false);

        Assert.Equal(SeccompAction.SECCOMP_RET_ALLOW, Run(program, "read"));
        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Run(program, "mount"));
        Assert.Equal(SeccompAction.SECCOMP_RET_ALLOW, Run(program, "personality", 8));
        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Run(program, "personality", 9));
        Assert.Equal(SeccompAction.SECCOMP_RET_KILL_PROCESS, Run(program, "ptrace"));
    }

    [Fact]
    public void I_can_see_complain_notify_kills_as_well()
    {
        var program = WatchFilter.NotifyDenials(SeccompCompiler.Compile(Compile.Policy(Profile)), complain: true);

        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Run(program, "ptrace"));
        Assert.Equal(SeccompAction.SECCOMP_RET_ALLOW, Run(program, "write"));
    }

    [Fact]
    public void I_can_see_record_notify_every_call_of_every_abi()
    {
        var program = WatchFilter.NotifyEverything();

        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Interpreter.Run(program, SeccompData.Of(AUDIT_ARCH_X86_64, 0)).ReturnValue);
        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Interpreter.Run(program, SeccompData.Of(AUDIT_ARCH_X86_64, X32_SYSCALL_BIT | 1)).ReturnValue);
        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, Interpreter.Run(program, SeccompData.Of(AUDIT_ARCH_I386, 11)).ReturnValue);
    }
}
