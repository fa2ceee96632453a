using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Bpf;

/// <summary>
/// The disassembly of Docker's current default profile for both machines, kept in
/// Golden/ and reviewed as a diff whenever the compiler changes: <c>scripts/update-golden</c>
/// (UPDATE_GOLDEN=1) rewrites the files. Docker capabilities, kernel 6.18, runc's stub.
/// </summary>
public sealed class GoldenSpecs
{
    public static TheoryData<string> Machines => new() { "x86_64", "aarch64" };

    [SkippableTheory]
    [MemberData(nameof(Machines))]
    public void I_can_read_the_same_program_for_the_docker_default_profile(string machine)
    {
        var source = Path.Combine(Paths.Corpus, "moby-default-current.json");
        Skip.IfNot(File.Exists(source), "../shared/corpus is absent");
        var policy = PolicyResolver.Resolve(ProfileReader.ReadFile(source), TargetArch.Find(machine)!, new ResolveOptions(Capabilities.Docker, new KernelVersion(6, 18)));
        var actual = $"# moby-default-current.json, {machine}, Docker capabilities, kernel 6.18, --enosys runc\n" + Disassembler.Disassemble(SeccompCompiler.Compile(policy));
        var golden = Path.Combine(Paths.RepoRoot, "src", "SandboxRun.Tests", "Golden", $"docker-default.{machine}.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, actual);
        }
        Assert.True(File.Exists(golden), $"{golden} is missing: run scripts/update-golden");
        Assert.Equal(File.ReadAllText(golden), actual);
    }
}
