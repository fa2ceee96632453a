using System.Text;
using SandboxRun.Arch;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;
using SandboxRun.Tests.Support;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// sandboxrun against libseccomp 2.5.4 (what runc installs for Docker): random profiles and
/// every real profile, both machines, several capability sets and kernels, every syscall
/// number and arguments around every constant.
/// </summary>
public sealed class DifferentialSpecs(ITestOutputHelper output)
{
    private static readonly Capabilities[] CapSets = [Capabilities.Docker, Capabilities.Full, Capabilities.None];
    private static readonly KernelVersion[] Kernels = [new(4, 4), new(5, 10), new(6, 18)];

    [SkippableFact]
    public void I_can_compile_random_profiles_exactly_as_libseccomp_decides()
    {
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        // Arrange
        var harness = new DifferentialHarness();
        var refused = 0;
        const int Profiles = 300;

        // Act
        for (var seed = 1; seed <= Profiles; seed++)
        {
            var json = RandomProfiles.Generate(seed);
            var profile = ProfileReader.Read($"random-{seed}.json", Encoding.UTF8.GetBytes(json));
            var target = seed % 2 == 0 ? TargetArch.X86_64 : TargetArch.Aarch64;
            if (!harness.Compare($"random-{seed}", profile, target, CapSets[seed % 3], Kernels[seed % 3]))
            {
                refused++;
            }
        }

        // Assert
        output.WriteLine($"{Profiles} random profiles, {refused} refused by libseccomp; " + harness.Report());
        Assert.True(harness.Failures.Count == 0, harness.Report());
        Assert.True(harness.Compared > 100_000);
    }

    [SkippableFact]
    public void I_can_compile_every_real_profile_exactly_as_libseccomp_decides()
    {
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        var files = Paths.RealProfiles().ToList();
        Skip.If(files.Count == 0, "../shared/corpus is absent");
        var harness = new DifferentialHarness();
        foreach (var file in files)
        {
            var profile = ProfileReader.ReadFile(file);
            foreach (var target in TargetArch.All)
            {
                foreach (var caps in CapSets)
                {
                    foreach (var kernel in Kernels)
                    {
                        Assert.True(harness.Compare(Path.GetFileName(file), profile, target, caps, kernel), $"{file} was refused: {string.Join("; ", harness.Failures)}");
                    }
                }
            }
        }
        output.WriteLine($"{files.Count} real profiles × 2 machines × 3 cap sets × 3 kernels: " + harness.Report());
        Assert.True(harness.Failures.Count == 0, harness.Report());
    }
}
