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
/// The shape issue 6 asks of every program: the kernel's action cache takes every syscall
/// allowed without arguments, the program is no larger than libseccomp's binary tree, and
/// Docker's profile costs few instructions per decision. Instruction counts, not times:
/// the timings are in scripts/bench-filter and native-tests/filter-bench.c.
/// </summary>
public sealed class FilterShapeSpecs(ITestOutputHelper output)
{
    private static readonly KernelVersion Kernel = new(6, 18);

    private static IEnumerable<(string Name, Profile Profile)> RealProfiles() =>
        Paths.RealProfiles().Select(f => (Path.GetFileName(f), ProfileReader.ReadFile(f)));

    private static IEnumerable<(string Name, Profile Profile)> RandomProfilesUpTo(int count) =>
        Enumerable.Range(1, count).Select(seed => ($"random-{seed}", ProfileReader.Read($"random-{seed}.json", Encoding.UTF8.GetBytes(RandomProfiles.Generate(seed)))));

    [Fact]
    public void I_can_let_the_kernel_cache_every_syscall_allowed_without_arguments()
    {
        // Arrange
        var profiles = RealProfiles().Concat(RandomProfilesUpTo(100)).ToList();
        var problems = new List<string>();
        long cacheable = 0;

        // Act: the kernel's own emulation, for each ABI it keeps a bitmap for.
        foreach (var (name, profile) in profiles)
        {
            foreach (var target in TargetArch.All)
            {
                foreach (var enosys in new[] { EnosysMode.Off, EnosysMode.Runc, EnosysMode.Known })
                {
                    FilterPolicy policy;
                    try
                    {
                        policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(Capabilities.Docker, Kernel, enosys));
                    }
                    catch (Errors.PolicyException)
                    {
                        continue;
                    }
                    var program = SeccompCompiler.Compile(policy);
                    foreach (var abi in target.AllArches.Where(a => ActionCache.SyscallCount(a) is not null))
                    {
                        var bitmap = ActionCache.Bitmap(program, abi.AuditArch, ActionCache.SyscallCount(abi)!.Value);
                        for (var nr = 0u; nr < bitmap.Length; nr++)
                        {
                            var outcome = PolicyEvaluator.Classify(policy, abi.AuditArch, nr);
                            var constAllow = outcome.Action == SeccompAction.Allow && outcome.Syscall is not { ReadsArguments: true };
                            cacheable += constAllow ? 1 : 0;
                            if (constAllow != bitmap[nr] && problems.Count < 20)
                            {
                                problems.Add($"{name} on {target} (--enosys {enosys}): {abi.Name} nr {nr}: allowed without arguments {constAllow}, cached by the kernel {bitmap[nr]}");
                            }
                        }
                    }
                }
            }
        }

        // Assert: cached exactly when the model allows it whatever the arguments.
        output.WriteLine($"{profiles.Count} profiles × 2 machines × 3 ENOSYS modes: {cacheable} syscalls allowed without arguments, all cached");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void I_can_compile_every_real_profile_no_larger_than_libseccomps_binary_tree()
    {
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        Skip.If(!Paths.RealProfiles().Any(), "no real profiles");
        var (compared, ours, theirs, larger) = CompareSizes(RealProfiles());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{compared} programs: {ours} instructions in all, libseccomp's trees {theirs}"));
        Assert.True(larger.Count == 0, string.Join("\n", larger));
    }

    /// <summary>
    /// Random profiles, with their odd argument trees, are smaller in all; one by one some
    /// are not yet: libseccomp shares an identical tail of instructions between arch blocks
    /// and between syscalls whose trees differ, which this compiler does not do (it shares
    /// returns, and the code of identical trees). The count is printed, not asserted.
    /// </summary>
    [SkippableFact]
    public void I_can_compile_random_profiles_smaller_than_libseccomps_binary_trees_in_all()
    {
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        var (compared, ours, theirs, larger) = CompareSizes(RandomProfilesUpTo(300));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{compared} programs: {ours} instructions in all, libseccomp's trees {theirs}; {larger.Count} larger one by one"));
        Assert.True(ours < theirs);
    }

    private static (int Compared, long Ours, long Theirs, List<string> Larger) CompareSizes(IEnumerable<(string Name, Profile Profile)> profiles)
    {
        var larger = new List<string>();
        int compared = 0;
        long ours = 0, theirs = 0;
        foreach (var (name, profile) in profiles)
        {
            foreach (var target in TargetArch.All)
            {
                BpfProgram reference;
                FilterPolicy policy;
                try
                {
                    reference = DockerOracle.Build(profile, target, Capabilities.Docker, Kernel);
                    policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(Capabilities.Docker, Kernel, EnosysMode.Off));
                }
                catch (Exception e) when (e is OracleRefusedException or Errors.PolicyException)
                {
                    continue;
                }
                var program = SeccompCompiler.Compile(policy);
                compared++;
                ours += program.Length;
                theirs += reference.Length;
                if (program.Length > reference.Length)
                {
                    larger.Add($"{name} on {target}: {program.Length} instructions, libseccomp's tree {reference.Length}");
                }
            }
        }
        return (compared, ours, theirs, larger);
    }

    [SkippableFact]
    public void I_can_decide_an_argument_checked_call_in_fewer_instructions_than_libseccomp()
    {
        // README's figure for the microbenchmark's filtered call: personality(0xffffffff)
        // under Docker's default runs the filter every time (the kernel cannot cache it).
        Skip.IfNot(LibSeccomp.IsAvailable, "libseccomp.so.2 is not installed");
        var profile = ProfileSource.Load("docker-default");
        var policy = PolicyResolver.Resolve(profile, TargetArch.X86_64, new ResolveOptions(Capabilities.Docker, Kernel));
        Assert.True(Arch.Arch.X86_64.TryGetNumber("personality", out var nr));
        var call = SeccompData.Of(Arch.Arch.AUDIT_ARCH_X86_64, nr, 0xffffffff);

        var ours = Interpreter.Run(SeccompCompiler.Compile(policy), call);
        var tree = Interpreter.Run(DockerOracle.Build(profile, TargetArch.X86_64, Capabilities.Docker, Kernel), call);
        var linear = Interpreter.Run(DockerOracle.Build(profile, TargetArch.X86_64, Capabilities.Docker, Kernel, optimize: 1), call);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"executed: sandboxrun {ours.Executed}, libseccomp tree {tree.Executed}, default layout {linear.Executed}"));
        Assert.Equal(SeccompAction.Allow.ReturnValue, ours.ReturnValue);
        Assert.Equal(tree.ReturnValue, ours.ReturnValue);
        Assert.True(ours.Executed <= 16 && ours.Executed < tree.Executed && tree.Executed < linear.Executed);
    }

    [Theory]
    [InlineData("x86_64", "off", 9.9, 13)]
    [InlineData("x86_64", "runc", 9.9, 13)]
    [InlineData("aarch64", "off", 9.6, 13)]
    [InlineData("aarch64", "runc", 9.6, 13)]
    public void I_can_decide_dockers_profile_in_few_instructions(string machine, string enosys, double mean, int max)
    {
        // Arrange: issue 6's measure, every allowed number 0-600 of the main ABI with zero arguments.
        var target = machine == "x86_64" ? TargetArch.X86_64 : TargetArch.Aarch64;
        var mode = enosys == "off" ? EnosysMode.Off : EnosysMode.Runc;
        var policy = PolicyResolver.Resolve(ProfileSource.Load("docker-default"), target, new ResolveOptions(Capabilities.Docker, Kernel, mode));

        // Act
        var program = SeccompCompiler.Compile(policy);
        var executed = new List<int>();
        for (var nr = 0u; nr <= 600; nr++)
        {
            var result = Interpreter.Run(program, SeccompData.Of(target.Main.AuditArch, nr));
            if (result.ReturnValue == SeccompAction.Allow.ReturnValue)
            {
                executed.Add(result.Executed);
            }
        }

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{program.Length} instructions; {executed.Count} allowed numbers, mean {executed.Average():F2}, max {executed.Max()}"));
        Assert.InRange(executed.Average(), 0, mean);
        Assert.InRange(executed.Max(), 0, max);
    }
}
