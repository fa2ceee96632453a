using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Tests.Support;

/// <summary>Small helpers to go from JSON text to a decision in one line.</summary>
internal static class Compile
{
    internal static FilterPolicy Policy(string json, TargetArch? target = null, EnosysMode enosys = EnosysMode.Runc, Capabilities? caps = null, KernelVersion? kernel = null) =>
        PolicyResolver.Resolve(
            ProfileReader.Read("test.json", Encoding.UTF8.GetBytes(json)),
            target ?? TargetArch.X86_64,
            new ResolveOptions(caps ?? Capabilities.Docker, kernel ?? new KernelVersion(6, 18), enosys));

    /// <summary>The action the compiled program returns, checked against the model on the way.</summary>
    internal static SeccompAction Decide(FilterPolicy policy, uint auditArch, uint nr, params ulong[] args)
    {
        var data = SeccompData.Of(auditArch, nr, args);
        var program = SeccompCompiler.Compile(policy);
        var ret = Interpreter.Run(program, data).ReturnValue;
        Assert.Equal(PolicyEvaluator.Decide(policy, data).Action.ReturnValue, ret);
        return SeccompAction.FromReturnValue(ret);
    }

    internal static SeccompAction Decide(FilterPolicy policy, string syscall, params ulong[] args)
    {
        var abi = policy.Target.Main;
        Assert.True(abi.TryGetNumber(syscall, out var nr), syscall);
        return Decide(policy, abi.AuditArch, nr, args);
    }
}
