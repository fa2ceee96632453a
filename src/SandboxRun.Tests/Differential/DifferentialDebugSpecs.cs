using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// A tool more than a test: <c>DIFF_SEED=N dotnet test --filter DifferentialDebug</c> prints
/// random profile N, both programs and the first disagreements. Skipped otherwise.
/// </summary>
public sealed class DifferentialDebugSpecs(ITestOutputHelper output)
{
    [SkippableFact]
    public void I_can_see_both_programs_of_one_random_profile()
    {
        var seedText = Environment.GetEnvironmentVariable("DIFF_SEED");
        Skip.If(seedText is null, "set DIFF_SEED to use");
        var seed = int.Parse(seedText, System.Globalization.CultureInfo.InvariantCulture);
        var json = RandomProfiles.Generate(seed);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"random-{seed}.json"), json);
        var profile = ProfileReader.Read($"random-{seed}.json", Encoding.UTF8.GetBytes(json));
        var target = seed % 2 == 0 ? TargetArch.X86_64 : TargetArch.Aarch64;
        Capabilities[] capSets = [Capabilities.Docker, Capabilities.Full, Capabilities.None];
        KernelVersion[] kernels = [new(4, 4), new(5, 10), new(6, 18)];
        var policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(capSets[seed % 3], kernels[seed % 3], EnosysMode.Off));
        output.WriteLine(json);
        var ours = SeccompCompiler.Compile(policy);
        var theirs = DockerOracle.Build(profile, target, capSets[seed % 3], kernels[seed % 3]);
        output.WriteLine("=== sandboxrun");
        output.WriteLine(Disassembler.Disassemble(ours));
        output.WriteLine("=== libseccomp");
        output.WriteLine(Disassembler.Disassemble(theirs));
        Assert.Empty(Interpreter.Validate(ours));
        Assert.Empty(Interpreter.Validate(theirs));
    }
}
