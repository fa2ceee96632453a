using System.Globalization;
using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Launch;

/// <summary>
/// Managed bytes allocated by each stage of a launch of Docker's default profile, first
/// (cold: static tables built) and second time. Every fresh page the GC hands out costs a
/// page fault at start-up, so this is what the launch-time work watches.
/// A report more than a test: <c>ALLOCS=1 dotnet test --filter LaunchAllocationReport</c>.
/// </summary>
public sealed class LaunchAllocationReport(ITestOutputHelper output)
{
    [SkippableFact]
    public void I_can_see_what_each_launch_stage_allocates()
    {
        Skip.If(Environment.GetEnvironmentVariable("ALLOCS") != "1", "set ALLOCS=1 to print the report");
        var report = new StringBuilder("pass | read | resolve | compile (bytes)\n");
        var options = new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18), EnosysMode.Runc);
        for (var pass = 1; pass <= 3; pass++)
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            var profile = ProfileSource.Load("docker-default");
            var read = GC.GetAllocatedBytesForCurrentThread();
            var policy = PolicyResolver.Resolve(profile, TargetArch.X86_64, options);
            var resolved = GC.GetAllocatedBytesForCurrentThread();
            var program = SeccompCompiler.Compile(policy);
            var compiled = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(program.Length > 0);
            report.Append(CultureInfo.InvariantCulture, $"{pass} | {read - start:N0} | {resolved - read:N0} | {compiled - resolved:N0}\n");
        }
        output.WriteLine(report.ToString());
    }

    /// <summary>
    /// What a launch allocates follows the profile, not the span of an ABI's numbers: arm's
    /// private calls sit at 0xf0001, and a rule table indexed by number once made resolving
    /// for aarch64 allocate 15 MB (30 ms). Allocated bytes are exact where times are noise.
    /// </summary>
    [Theory]
    [InlineData("x86_64")]
    [InlineData("aarch64")]
    public void I_can_resolve_and_compile_docker_default_in_under_a_megabyte_each(string machine)
    {
        var options = new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18), EnosysMode.Runc);
        var target = TargetArch.FromOption(machine);
        long resolve = 0, compile = 0;
        for (var pass = 1; pass <= 2; pass++)
        {
            var profile = ProfileSource.Load("docker-default");
            var start = GC.GetAllocatedBytesForCurrentThread();
            var policy = PolicyResolver.Resolve(profile, target, options);
            var resolved = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(SeccompCompiler.Compile(policy).Length > 0);
            (resolve, compile) = (resolved - start, GC.GetAllocatedBytesForCurrentThread() - resolved);
        }
        Assert.True(resolve < 1 << 20, $"resolving for {machine} allocated {resolve:N0} bytes");
        Assert.True(compile < 1 << 20, $"compiling for {machine} allocated {compile:N0} bytes");
    }
}
