using SandboxRun.Bpf;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Tests.Bpf;

/// <summary>Labels, long jumps and the kernel's checks.</summary>
public sealed class AssemblerSpecs
{
    [Theory]
    [InlineData(10)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(1000)]
    public void I_can_jump_over_any_distance(int filler)
    {
        // Arrange: if nr == 7 jump over `filler` returns to ALLOW, else over them to ERRNO.
        var asm = new Assembler();
        var allow = asm.NewLabel();
        var deny = asm.NewLabel();
        asm.Load(OffsetNr);
        asm.JumpIf(BPF_JEQ, 7, allow, deny);
        var skip = asm.NewLabel();
        asm.Jump(skip);
        for (var i = 0; i < filler; i++)
        {
            asm.Return(new SeccompAction(ActionKind.KillProcess).ReturnValue);
        }
        asm.Mark(skip);
        asm.Return(new SeccompAction(ActionKind.KillProcess).ReturnValue);
        asm.Mark(deny);
        asm.Return(SeccompAction.Errno(1).ReturnValue);
        asm.Mark(allow);
        asm.Return(SeccompAction.Allow.ReturnValue);

        // Act
        var program = asm.Assemble();

        // Assert
        Assert.Empty(Interpreter.Validate(program));
        Assert.Equal(SeccompAction.Allow.ReturnValue, Interpreter.Run(program, SeccompData.Of(0, 7)).ReturnValue);
        Assert.Equal(SeccompAction.Errno(1).ReturnValue, Interpreter.Run(program, SeccompData.Of(0, 8)).ReturnValue);
    }

    [Fact]
    public void I_cannot_assemble_a_jump_to_a_label_never_placed()
    {
        var asm = new Assembler();
        asm.Jump(asm.NewLabel());
        asm.Return(0);
        Assert.Throws<InvalidOperationException>(asm.Assemble);
    }

    public static TheoryData<string, ushort, byte, byte, uint> BadInstructions => new()
    {
        { "unaligned load", BPF_LD | BPF_W | BPF_ABS, 0, 0, 2 },
        { "load past seccomp_data", BPF_LD | BPF_W | BPF_ABS, 0, 0, 64 },
        { "byte load", BPF_LD | BPF_B | BPF_ABS, 0, 0, 0 },
        { "jump past the end", BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 0 },
        { "ja past the end", BPF_JMP | BPF_JA, 0, 0, 9 },
        { "modulo", BPF_ALU | BPF_MOD | BPF_K, 0, 0, 3 },
        { "division by zero", BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0 },
        { "scratch slot 16", BPF_ST, 0, 0, 16 },
    };

    [Theory]
    [MemberData(nameof(BadInstructions))]
    public void I_cannot_pass_the_kernel_checks_with_a_bad_instruction(string what, ushort code, byte jt, byte jf, uint k)
    {
        var program = new BpfProgram([new BpfInstruction(code, jt, jf, k), BpfInstruction.Stmt(BPF_RET | BPF_K, 0)]);
        var problem = Assert.Single(Interpreter.Validate(program));
        Assert.True(problem.StartsWith("instruction 0 ", StringComparison.Ordinal), $"{what}: {problem}");
    }

    [Fact]
    public void I_cannot_pass_the_kernel_checks_without_a_final_return_or_beyond_4096()
    {
        Assert.Contains("the last instruction is not a return", Interpreter.Validate(new BpfProgram([BpfInstruction.Stmt(BPF_LD | BPF_W | BPF_ABS, 0)])));
        var huge = new BpfProgram([.. Enumerable.Repeat(BpfInstruction.Stmt(BPF_RET | BPF_K, 0), 4097)]);
        Assert.Equal("the program has 4097 instructions; the kernel takes 1 to 4096", Assert.Single(Interpreter.Validate(huge)));
    }
}
