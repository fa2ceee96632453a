using SandboxRun.Policy;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// The argument checks of one syscall, compiled from its decision tree
/// (<see cref="DecisionLevel"/>): each node loads one 32-bit word of an argument (unless A
/// already holds it), masks it, compares, and goes on to its child level or returns its
/// action; a side with neither, or a child level that decides nothing, moves to the next
/// node of the level; past the last node of the top level comes the default action.
///
/// The code is laid out as a tree: a node is entered from its parent's comparison or from
/// its previous sibling, so what A holds is known exactly, and a word is reloaded whenever
/// a path (a child level falling through to the next sibling) may have left another in A. (libseccomp 2.5.4 gets this wrong in
/// some merged trees: it compares a word it did not load.)
/// </summary>
internal static class ArgumentCode
{
    /// <summary>What the accumulator holds: a word of seccomp_data under a mask, or nothing known.</summary>
    private readonly record struct Accumulator(uint Offset, uint Mask)
    {
        internal static Accumulator Unknown => new(uint.MaxValue, 0);
    }

    internal static void Emit(Assembler asm, SyscallPolicy syscall, SeccompAction fallback)
    {
        var none = asm.NewLabel();
        EmitLevel(asm, syscall.Tree!, none, Accumulator.Unknown);
        asm.Mark(none);
        asm.Return(fallback.ReturnValue);
    }

    private static void EmitLevel(Assembler asm, DecisionLevel level, Assembler.Label none, Accumulator acc)
    {
        for (var i = 0; i < level.Nodes.Length; i++)
        {
            var last = i == level.Nodes.Length - 1;
            var next = last ? none : asm.NewLabel();
            acc = EmitNode(asm, level.Nodes[i], next, acc);
            if (!last)
            {
                asm.Mark(next);
            }
        }
    }

    /// <summary>
    /// Emits one node; returns what A holds on the way to the next sibling: the compared word
    /// when both sides go there directly, unknown when a child level may fall through to it.
    /// </summary>
    private static Accumulator EmitNode(Assembler asm, DecisionNode node, Assembler.Label next, Accumulator acc)
    {
        var onward = node.ChildTrue is null && node.ChildFalse is null;
        if (node.Mask == 0)
        {
            // (word & 0) compared with 0: EQ and GE always hold, GT never.
            var holds = node.Op != CompareOp.GreaterThan;
            EmitSide(asm, holds ? node.ChildTrue : node.ChildFalse, holds ? node.ActionTrue : node.ActionFalse, next, acc);
            return onward ? acc : Accumulator.Unknown;
        }
        var offset = node.High ? OffsetArgHigh(node.Arg) : OffsetArgLow(node.Arg);
        if (acc.Offset != offset || (acc.Mask & node.Mask) != node.Mask)
        {
            asm.Load(offset);
            acc = new Accumulator(offset, uint.MaxValue);
        }
        if (acc.Mask != node.Mask)
        {
            // (word & m1) & m2 == word & m2 when m2 lies inside m1.
            asm.And(node.Mask);
            acc = acc with { Mask = node.Mask };
        }
        var whenTrue = asm.NewLabel();
        var whenFalse = asm.NewLabel();
        var op = node.Op switch
        {
            CompareOp.GreaterThan => BPF_JGT,
            CompareOp.GreaterOrEqual => BPF_JGE,
            _ => BPF_JEQ,
        };
        asm.JumpIf(op, node.Datum, whenTrue, whenFalse);
        asm.Mark(whenTrue);
        EmitSide(asm, node.ChildTrue, node.ActionTrue, next, acc);
        asm.Mark(whenFalse);
        EmitSide(asm, node.ChildFalse, node.ActionFalse, next, acc);
        return onward ? acc : Accumulator.Unknown;
    }

    /// <summary>A child level, else an action, else on to the next node.</summary>
    private static void EmitSide(Assembler asm, DecisionLevel? child, SeccompAction? action, Assembler.Label next, Accumulator acc)
    {
        if (child is not null)
        {
            EmitLevel(asm, child, next, acc);
        }
        else if (action is { } a)
        {
            asm.Return(a.ReturnValue);
        }
        else
        {
            asm.Jump(next);
        }
    }
}
