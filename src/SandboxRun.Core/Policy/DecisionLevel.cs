using System.Collections.Immutable;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// One level of a syscall's argument tree (see <see cref="RuleTree"/>): its nodes are tried
/// in order. A node compares one 32-bit word of an argument; on each side it has a child
/// level, an action, or nothing. A child level that decides nothing, or a side with
/// nothing, passes on to the next node; past the last node the level decides nothing,
/// and at the top that means the default action.
/// </summary>
internal sealed record DecisionLevel(ImmutableArray<DecisionNode> Nodes)
{
    /// <summary>The action for these arguments, or null when the level decides nothing.</summary>
    internal SeccompAction? Evaluate(ReadOnlySpan<ulong> args)
    {
        foreach (var node in Nodes)
        {
            var holds = node.Test(args[node.Arg]);
            var (child, action) = holds ? (node.ChildTrue, node.ActionTrue) : (node.ChildFalse, node.ActionFalse);
            if (child is not null)
            {
                if (child.Evaluate(args) is { } decided)
                {
                    return decided;
                }
            }
            else if (action is { } a)
            {
                return a;
            }
        }
        return null;
    }
}

/// <summary>
/// <c>(word(arg) &amp; Mask) op Datum</c> with op EQ, MASKED_EQ (both ==), GT or GE on the high
/// or low 32 bits of an argument; a child level or an action on each side.
/// </summary>
internal sealed record DecisionNode(
    int Arg,
    bool High,
    CompareOp Op,
    uint Mask,
    uint Datum,
    DecisionLevel? ChildTrue,
    SeccompAction? ActionTrue,
    DecisionLevel? ChildFalse,
    SeccompAction? ActionFalse)
{
    internal uint Word(ulong arg) => (High ? (uint)(arg >> 32) : (uint)arg) & Mask;

    internal bool Test(ulong arg)
    {
        var w = Word(arg);
        return Op switch
        {
            CompareOp.GreaterThan => w > Datum,
            CompareOp.GreaterOrEqual => w >= Datum,
            _ => w == Datum,
        };
    }
}
