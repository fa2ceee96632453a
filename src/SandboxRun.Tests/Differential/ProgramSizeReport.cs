using System.Globalization;
using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;
using SandboxRun.Tests.Support;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// Program sizes and instructions executed per allowed syscall, sandboxrun against
/// libseccomp's tree mode (what runc uses past 32 rules), for every real profile.
/// A report more than a test: <c>SIZES=1 dotnet test --filter ProgramSizeReport</c>.
/// It fails only if a program exceeds the kernel's limit.
/// </summary>
public sealed class ProgramSizeReport(ITestOutputHelper output)
{
    [SkippableFact]
    public void I_can_compare_program_sizes_with_libseccomp()
    {
        Skip.If(Environment.GetEnvironmentVariable("SIZES") != "1", "set SIZES=1 to print the report");
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        var table = new StringBuilder("profile | machine | sandboxrun insns | libseccomp insns | sandboxrun avg/max executed (allowed nr) | libseccomp avg/max\n");
        foreach (var file in Paths.RealProfiles())
        {
            var profile = ProfileReader.ReadFile(file);
            foreach (var target in TargetArch.All)
            {
                var policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18), EnosysMode.Off));
                var ours = SeccompCompiler.Compile(policy);
                var theirs = DockerOracle.Build(profile, target, Capabilities.Docker, new KernelVersion(6, 18));
                var (oa, om) = Cost(ours, target);
                var (ta, tm) = Cost(theirs, target);
                Assert.True(ours.Length <= BpfConstants.BPF_MAXINSNS);
                table.Append(CultureInfo.InvariantCulture, $"{Path.GetFileName(file)} | {target} | {ours.Length} | {theirs.Length} | {oa:F1}/{om} | {ta:F1}/{tm}\n");
            }
        }
        output.WriteLine(table.ToString());
    }

    /// <summary>Average and maximum instructions executed over the allowed numbers 0–600 of the main ABI, zero arguments.</summary>
    private static (double Average, int Max) Cost(BpfProgram program, TargetArch target)
    {
        var counts = new List<int>();
        for (uint nr = 0; nr <= 600; nr++)
        {
            var result = Interpreter.Run(program, SeccompData.Of(target.Main.AuditArch, nr));
            if (SeccompAction.FromReturnValue(result.ReturnValue).Kind == ActionKind.Allow)
            {
                counts.Add(result.Executed);
            }
        }
        return counts.Count == 0 ? (0, 0) : (counts.Average(), counts.Max());
    }
}
