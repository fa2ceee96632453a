using SandboxRun.Policy;
using SandboxRun.Profiles;
using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// The argument checks of one syscall compiled from what they decide rather than from the
/// shape libseccomp gives them. Each node of the decision tree compares one 32-bit word of
/// an argument, under a mask, with a constant; when every node on a word uses the same mask,
/// the outcome can only change where <c>word &amp; mask</c> crosses a constant (d for ≥,
/// d+1 for &gt;, d and d+1 for ==). So the words cut the argument space into cells on which
/// the tree decides alike; the tree is evaluated once per cell (<see cref="DecisionLevel.Evaluate"/>,
/// the model itself), and the program dispatches on one word at a time over its intervals
/// (<see cref="DispatchPlanner"/>: jge and jeq, shared returns), skipping words that do not
/// matter where they do not. Each word is loaded once on any path.
/// <para>
/// E.g. Docker's <c>socket</c> (a0 &lt; 38 || a0 == 39 || a0 &gt; 40, 64-bit): libseccomp's
/// tree runs 10 instructions for a0 = 0; this runs <c>ld a0.hi; jge #1; ld a0.lo; jeq #38;
/// jeq #40; ret</c>.
/// </para>
/// Not used (null) where a word is compared under two masks, or where the cells would be
/// too many; <see cref="ArgumentCode"/> then follows libseccomp's tree.
/// </summary>
internal static class ArgumentDispatch
{
    /// <summary>At most this many cells are evaluated.</summary>
    private const int MaxCells = 4096;

    /// <summary>One 32-bit word of the arguments, its mask, and where its intervals start (reachable masked values).</summary>
    internal sealed record Word(int Arg, bool High, uint Mask, uint[] Starts)
    {
        internal uint Offset => High ? OffsetArgHigh(Arg) : OffsetArgLow(Arg);
    }

    /// <summary>What the tree decides on every cell: all the emission needs, worked out once.</summary>
    internal sealed class Dispatch
    {
        internal Dispatch(List<Word> words, uint[] outcomes)
        {
            Words = words;
            Outcomes = outcomes;
        }

        internal List<Word> Words { get; }

        internal uint[] Outcomes { get; }
    }

    /// <summary>The dispatch of a syscall's checks, or null where it does not apply (see the class comment).</summary>
    internal static Dispatch? Prepare(SyscallPolicy syscall, SeccompAction fallback)
    {
        if (Words(syscall.Tree!) is not { } words)
        {
            return null;
        }
        var cells = 1;
        foreach (var w in words)
        {
            cells *= w.Starts.Length;
            if (cells > MaxCells)
            {
                return null;
            }
        }
        return new Dispatch(words, Evaluate(syscall.Tree!, words, cells, fallback));
    }

    /// <summary>Emits a prepared dispatch; every action it ends in is a jump to a shared return.</summary>
    internal static void Emit(Assembler asm, ReturnPool returns, Dispatch dispatch) =>
        new Emitter(asm, returns, dispatch.Words).Emit(dispatch.Outcomes);

    /// <summary>The words the tree reads, in libseccomp's order (higher argument first, high half first), or null.</summary>
    private static List<Word>? Words(DecisionLevel tree)
    {
        var cuts = new SortedDictionary<(int Arg, int Half), (uint Mask, SortedSet<uint> Cuts)>();
        var stack = new Stack<DecisionLevel>();
        stack.Push(tree);
        while (stack.Count > 0)
        {
            foreach (var node in stack.Pop().Nodes)
            {
                if (node.ChildTrue is { } t)
                {
                    stack.Push(t);
                }
                if (node.ChildFalse is { } f)
                {
                    stack.Push(f);
                }
                if (node.Mask == 0)
                {
                    // (word & 0) op d is a constant: it reads nothing.
                    continue;
                }
                // Sorted by (-arg, -half): libseccomp's rank, higher argument and high half first.
                var key = (-node.Arg, node.High ? -1 : 0);
                if (!cuts.TryGetValue(key, out var entry))
                {
                    entry = (node.Mask, new SortedSet<uint> { 0 });
                    cuts.Add(key, entry);
                }
                if (entry.Mask != node.Mask)
                {
                    return null;
                }
                if (node.Op != CompareOp.GreaterThan)
                {
                    entry.Cuts.Add(node.Datum);
                }
                if (node.Op != CompareOp.GreaterOrEqual && node.Datum != uint.MaxValue)
                {
                    entry.Cuts.Add(node.Datum + 1);
                }
            }
        }
        var words = new List<Word>();
        foreach (var ((arg, half), (mask, set)) in cuts)
        {
            // An interval with no value that the mask lets through is never met: it joins the one before.
            var starts = new List<uint>();
            var list = set.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                var end = i + 1 < list.Count ? list[i + 1] - 1 : uint.MaxValue;
                if (SmallestSubmaskAtLeast(mask, list[i]) is { } v && v <= end)
                {
                    starts.Add(list[i]);
                }
            }
            words.Add(new Word(-arg, half != 0, mask, [.. starts]));
        }
        return words;
    }

    /// <summary>The smallest v ≥ s with no bit outside m (a value <c>word &amp; m</c> can take), or null.</summary>
    internal static uint? SmallestSubmaskAtLeast(uint m, uint s)
    {
        if ((s & ~m) == 0)
        {
            return s;
        }
        // v agrees with s above some bit i, has 1 at i where s has 0, and 0 below; the lowest
        // such i gives the smallest v. The bits of s kept above i must lie inside m.
        uint? best = null;
        for (var i = 31; i >= 0; i--)
        {
            var bit = 1u << i;
            var above = i == 31 ? 0 : s & ~((bit << 1) - 1);
            if ((above & ~m) != 0)
            {
                break;
            }
            if ((s & bit) == 0 && (m & bit) != 0)
            {
                best = above | bit;
            }
        }
        return best;
    }

    /// <summary>The outcome of every cell, the first word varying slowest.</summary>
    private static uint[] Evaluate(DecisionLevel tree, List<Word> words, int cells, SeccompAction fallback)
    {
        var outcomes = new uint[cells];
        var args = new ulong[6];
        var index = new int[words.Count];
        for (var c = 0; c < cells; c++)
        {
            Array.Clear(args);
            for (var w = 0; w < words.Count; w++)
            {
                // The smallest reachable value of the interval stands for all of it.
                var word = words[w];
                ulong v = SmallestSubmaskAtLeast(word.Mask, word.Starts[index[w]])!.Value;
                args[word.Arg] |= word.High ? v << 32 : v;
            }
            outcomes[c] = (tree.Evaluate(args) ?? fallback).ReturnValue;
            for (var w = words.Count - 1; w >= 0; w--)
            {
                if (++index[w] < words[w].Starts.Length)
                {
                    break;
                }
                index[w] = 0;
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Emits the decision diagram: a node is a slice of the cell table (the outcomes for the
    /// words from some depth on, the earlier ones fixed); equal slices share one node, and
    /// nodes are placed depth by depth, so every jump goes forward.
    /// </summary>
    private sealed class Emitter(Assembler asm, ReturnPool returns, List<Word> words)
    {
        private readonly Dictionary<(int Depth, uint[] Slice), Assembler.Label> _labels = new(NodeComparer.Instance);
        private readonly List<(int Depth, uint[] Slice, Assembler.Label Label)> _pending = [];

        internal void Emit(uint[] outcomes)
        {
            // The root is entered right here, with nothing known in A. A node is only jumped
            // to from nodes of a smaller depth, so placing the shallowest first keeps every
            // jump forward (ties in the order they were found).
            EmitNode(0, outcomes);
            while (_pending.Count > 0)
            {
                var next = 0;
                for (var i = 1; i < _pending.Count; i++)
                {
                    next = _pending[i].Depth < _pending[next].Depth ? i : next;
                }
                var (depth, slice, label) = _pending[next];
                _pending.RemoveAt(next);
                returns.FlushIfFar();
                asm.Mark(label);
                EmitNode(depth, slice);
            }
        }

        /// <summary>The code for a slice at a depth: skips the words that do not change it, then dispatches on one.</summary>
        private void EmitNode(int depth, uint[] slice)
        {
            while (depth < words.Count && AllChunksEqual(depth, slice))
            {
                slice = slice[..(slice.Length / words[depth].Starts.Length)];
                depth++;
            }
            if (depth == words.Count)
            {
                asm.Jump(returns.For(slice[0]));
                return;
            }
            var word = words[depth];
            var chunks = Chunks(depth, slice);
            asm.Load(word.Offset);
            if (word.Mask != uint.MaxValue)
            {
                asm.And(word.Mask);
            }
            // Adjacent intervals with the same slice merge into one item of the plan.
            var items = new List<DispatchPlanner.Item>();
            var targets = new List<uint[]>();
            var keys = new Dictionary<uint[], long>(SliceComparer.Instance);
            for (var i = 0; i < chunks.Count; i++)
            {
                if (targets.Count > 0 && SliceComparer.Instance.Equals(targets[^1], chunks[i]))
                {
                    continue;
                }
                if (!keys.TryGetValue(chunks[i], out var id))
                {
                    id = keys.Count;
                    keys.Add(chunks[i], id);
                }
                items.Add(new DispatchPlanner.Item(word.Starts[i], false, id, 1));
                targets.Add(chunks[i]);
            }
            // A merged item is a single number only if nothing merged into it.
            for (var i = 0; i < items.Count; i++)
            {
                var end = i + 1 < items.Count ? items[i + 1].First - 1 : uint.MaxValue;
                items[i] = items[i] with { IsPoint = items[i].First == end };
            }
            // Nothing says which values are frequent: every interval weighs one, and a test
            // costs as much as one more step for all of them, so the plan stays small (a
            // chain of jeq in number order where few values stand out, splits where many do).
            var plan = DispatchPlanner.Plan(items, items.Count);
            DispatchPlanner.Emit(asm, returns, plan, i => new DispatchPlanner.LeafCode(Target(depth + 1, targets[i]), null));
        }

        /// <summary>Where a slice's code is: a shared return when it decides alike, else its node (made once).</summary>
        private Assembler.Label Target(int depth, uint[] slice)
        {
            if (slice.AsSpan().IndexOfAnyExcept(slice[0]) < 0)
            {
                return returns.For(slice[0]);
            }
            if (!_labels.TryGetValue((depth, slice), out var label))
            {
                label = asm.NewLabel();
                _labels.Add((depth, slice), label);
                _pending.Add((depth, slice, label));
            }
            return label;
        }

        /// <summary>The slice cut by the intervals of the word at this depth.</summary>
        private List<uint[]> Chunks(int depth, uint[] slice)
        {
            var n = words[depth].Starts.Length;
            var size = slice.Length / n;
            var chunks = new List<uint[]>(n);
            for (var i = 0; i < n; i++)
            {
                chunks.Add(slice.AsSpan(i * size, size).ToArray());
            }
            return chunks;
        }

        /// <summary>Whether the word at this depth leaves the slice alike in every one of its intervals.</summary>
        private bool AllChunksEqual(int depth, uint[] slice)
        {
            var size = slice.Length / words[depth].Starts.Length;
            var first = slice.AsSpan(0, size);
            for (var at = size; at < slice.Length; at += size)
            {
                if (!slice.AsSpan(at, size).SequenceEqual(first))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Nodes of the diagram: equal slices at the same depth.</summary>
    private sealed class NodeComparer : IEqualityComparer<(int Depth, uint[] Slice)>
    {
        internal static NodeComparer Instance { get; } = new();

        public bool Equals((int Depth, uint[] Slice) x, (int Depth, uint[] Slice) y) =>
            x.Depth == y.Depth && SliceComparer.Instance.Equals(x.Slice, y.Slice);

        public int GetHashCode((int Depth, uint[] Slice) obj) =>
            HashCode.Combine(obj.Depth, SliceComparer.Instance.GetHashCode(obj.Slice));
    }

    private sealed class SliceComparer : IEqualityComparer<uint[]>
    {
        internal static SliceComparer Instance { get; } = new();

        public bool Equals(uint[]? x, uint[]? y) => x.AsSpan().SequenceEqual(y.AsSpan());

        public int GetHashCode(uint[] obj)
        {
            var hash = new HashCode();
            foreach (var v in obj)
            {
                hash.Add(v);
            }
            return hash.ToHashCode();
        }
    }
}
