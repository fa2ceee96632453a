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

    /// <summary>
    /// Emits the checks; every action they end in is a jump to a shared <c>ret</c> of
    /// <paramref name="returns"/>, and arguments that match no rule get <paramref name="fallback"/>.
    /// </summary>
    internal static void Emit(Assembler asm, ReturnPool returns, SyscallPolicy syscall, SeccompAction fallback)
    {
        // Two ways: a dispatch on what the tree decides (ArgumentDispatch: usually shorter
        // paths) or the tree's own shape; each is tried on a scratch assembler, and the
        // smaller wins, the dispatch on a tie.
        if (ArgumentDispatch.Prepare(syscall, fallback) is { } prepared)
        {
            var dispatch = new Assembler();
            var shape = new Assembler();
            ArgumentDispatch.Emit(dispatch, new ReturnPool(dispatch), prepared);
            EmitShape(shape, new ReturnPool(shape), syscall, fallback);
            if (dispatch.Position <= shape.Position)
            {
                ArgumentDispatch.Emit(asm, returns, prepared);
                return;
            }
        }
        EmitShape(asm, returns, syscall, fallback);
    }

    private static void EmitShape(Assembler asm, ReturnPool returns, SyscallPolicy syscall, SeccompAction fallback) =>
        EmitLevel(asm, returns, syscall.Tree!, returns.For(fallback.ReturnValue), Accumulator.Unknown);

    private static void EmitLevel(Assembler asm, ReturnPool returns, DecisionLevel level, Assembler.Label none, Accumulator acc)
    {
        for (var i = 0; i < level.Nodes.Length; i++)
        {
            var last = i == level.Nodes.Length - 1;
            var next = last ? none : asm.NewLabel();
            acc = EmitNode(asm, returns, level.Nodes[i], next, acc);
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
    private static Accumulator EmitNode(Assembler asm, ReturnPool returns, DecisionNode node, Assembler.Label next, Accumulator acc)
    {
        var onward = node.ChildTrue is null && node.ChildFalse is null;
        if (node.Mask == 0)
        {
            // (word & 0) compared with 0: EQ and GE always hold, GT never.
            var holds = node.Op != CompareOp.GreaterThan;
            var (child, action) = holds ? (node.ChildTrue, node.ActionTrue) : (node.ChildFalse, node.ActionFalse);
            if (child is not null)
            {
                EmitLevel(asm, returns, child, next, acc);
            }
            else
            {
                asm.Jump(action is { } a ? returns.For(a.ReturnValue) : next);
            }
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
        var op = node.Op switch
        {
            CompareOp.GreaterThan => BPF_JGT,
            CompareOp.GreaterOrEqual => BPF_JGE,
            _ => BPF_JEQ,
        };
        // A side is a child level (emitted below), an action (a shared return) or nothing (the next node).
        var whenTrue = node.ChildTrue is not null ? asm.NewLabel() : node.ActionTrue is { } t ? returns.For(t.ReturnValue) : next;
        var whenFalse = node.ChildFalse is not null ? asm.NewLabel() : node.ActionFalse is { } f ? returns.For(f.ReturnValue) : next;
        // No pool is placed inside these checks: the fallback's label is held across them.
        asm.JumpIf(op, node.Datum, whenTrue, whenFalse);
        if (node.ChildTrue is { } childTrue)
        {
            asm.Mark(whenTrue);
            EmitLevel(asm, returns, childTrue, next, acc);
        }
        if (node.ChildFalse is { } childFalse)
        {
            asm.Mark(whenFalse);
            EmitLevel(asm, returns, childFalse, next, acc);
        }
        return onward ? acc : Accumulator.Unknown;
    }
}
