using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Errors;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Bpf;

/// <summary>What the compiler does at the kernel's limits, and that it is deterministic.</summary>
public sealed class CompilerLimitsSpecs
{
    [Fact]
    public void I_cannot_compile_a_profile_beyond_4096_instructions_and_am_told_why()
    {
        // Arrange: every x86_64 syscall with six 64-bit conditions of its own (equal
        // conditions would share their code).
        var rules = Arch.Arch.X86_64.Table.Select(e =>
            $$"""{"names":["{{e.Name}}"],"action":"SCMP_ACT_ALLOW","args":[{{string.Join(",", Enumerable.Range(0, 6).Select(i => $$"""{"index":{{i}},"value":{{(e.Number * 8) + (uint)i + 1}},"op":"SCMP_CMP_EQ"}"""))}}]}""");
        var json = $$"""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{string.Join(",", rules)}}]}""";
        var policy = Compile.Policy(json);

        // Act
        var error = Assert.Throws<PolicyException>(() => SeccompCompiler.Compile(policy));

        // Assert
        Assert.Matches(@"^test\.json: the filter for x86_64 needs \d+ instructions; the kernel takes at most 4096 per filter \(split the profile into several --profile layers\)$", error.Message);
    }

    [Fact]
    public void I_can_compile_long_jumps_past_255_instructions()
    {
        // 200 syscalls with conditions (about 4 instructions each) push the tree's leaves far from its root.
        var rules = Arch.Arch.X86_64.Table.Take(200).Select(e =>
            $$"""{"names":["{{e.Name}}"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":{{e.Number}},"op":"SCMP_CMP_GT"}]}""");
        var policy = Compile.Policy($$"""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{string.Join(",", rules)}}]}""");
        var program = SeccompCompiler.Compile(policy);
        Assert.True(program.Length > 1000);
        Assert.Contains(program.Instructions, i => i.Code == (BpfConstants.BPF_JMP | BpfConstants.BPF_JA) && i.K > 255);
        foreach (var e in Arch.Arch.X86_64.Table.Take(200))
        {
            Assert.Equal(SandboxRun.Profiles.SeccompAction.Allow, Compile.Decide(policy, Arch.Arch.AUDIT_ARCH_X86_64, e.Number, 0, e.Number + 1));
            Assert.Equal(SandboxRun.Profiles.SeccompAction.Errno(1), Compile.Decide(policy, Arch.Arch.AUDIT_ARCH_X86_64, e.Number, 0, e.Number));
        }
    }

    [SkippableFact]
    public void I_can_compile_the_same_bytes_every_time()
    {
        var file = Path.Combine(Paths.Corpus, "moby-default-current.json");
        Skip.IfNot(File.Exists(file), "../shared/corpus is absent");
        var json = File.ReadAllText(file, Encoding.UTF8);
        foreach (var target in TargetArch.All)
        {
            var first = SeccompCompiler.Compile(Compile.Policy(json, target)).ToBytes();
            var second = SeccompCompiler.Compile(Compile.Policy(json, target)).ToBytes();
            Assert.Equal(first, second);
        }
    }
}
