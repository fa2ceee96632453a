using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Differential;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Bpf;

/// <summary>
/// The compiled program against the model it is compiled from: for every input,
/// <c>Interpreter(Compile(policy))</c> must equal <c>PolicyEvaluator.Decide(policy)</c>, in every
/// ENOSYS mode (libseccomp has no stub, so the stub is proven here and in EnosysSpecs).
/// </summary>
public sealed class CompilerModelSpecs
{
    public static TheoryData<string> Modes => new() { "Runc", "Known", "Off" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void I_can_trust_the_program_to_decide_as_the_model_on_random_profiles(string mode)
    {
        var enosys = Enum.Parse<EnosysMode>(mode);
        var mismatches = new List<string>();
        long compared = 0;
        for (var seed = 1; seed <= 120; seed++)
        {
            var profile = ProfileReader.Read($"random-{seed}.json", Encoding.UTF8.GetBytes(RandomProfiles.Generate(seed)));
            foreach (var target in TargetArch.All)
            {
                compared += Compare(profile, target, new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18), enosys), mismatches);
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
        Assert.True(compared > 500_000, $"only {compared} inputs");
    }

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void I_can_trust_the_program_to_decide_as_the_model_on_real_profiles(string mode)
    {
        var files = Paths.RealProfiles().ToList();
        Skip.If(files.Count == 0, "../shared/corpus is absent");
        var enosys = Enum.Parse<EnosysMode>(mode);
        var mismatches = new List<string>();
        foreach (var file in files)
        {
            var profile = ProfileReader.ReadFile(file);
            foreach (var target in TargetArch.All)
            {
                Compare(profile, target, new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18), enosys), mismatches);
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    private static long Compare(Profile profile, TargetArch target, ResolveOptions options, List<string> mismatches)
    {
        FilterPolicy policy;
        try
        {
            policy = PolicyResolver.Resolve(profile, target, options);
        }
        catch (Errors.PolicyException)
        {
            return 0; // refused, as libseccomp refuses it (DifferentialSpecs)
        }
        var program = SeccompCompiler.Compile(policy);
        long compared = 0;
        foreach (var input in DifferentialHarness.Inputs(policy))
        {
            compared++;
            var expected = PolicyEvaluator.Decide(policy, input).Action.ReturnValue;
            var actual = Interpreter.Run(program, input).ReturnValue;
            if (expected != actual && mismatches.Count < 20)
            {
                mismatches.Add($"{profile.Source} {target} {options.Enosys}: arch 0x{input.Arch:x8} nr {input.Nr} args [{string.Join(", ", input.Args)}]: model {Disassembler.ActionText(expected)}, program {Disassembler.ActionText(actual)}");
            }
        }
        return compared;
    }
}
