using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// Plans the dispatch on the syscall number of one arch value: a binary decision tree over
/// the ranges of equal outcome (<see cref="SeccompCompiler.Ranges"/>) whose tests are
/// <c>jge #first</c> (a split between two ranges) and <c>jeq #nr</c> (one number taken out
/// of a range around it). It minimises
/// <code>
///   Σ over ranges  weight × tests on the way to it   +   testCost × tests in the program
/// </code>
/// by dynamic programming over runs of ranges [i..j], as Knuth's optimal binary search
/// trees do (and minijail's optimal BST of syscalls), with two shapes per run:
/// <list type="bullet">
/// <item>a split: <c>jge #first(k)</c> → plan(i..k-1), plan(k..j), k searched between the
/// best splits of [i..j-1] and [i+1..j] (Knuth's bound, which keeps the search quadratic);</item>
/// <item>a chain: when every range of the run but those of one outcome B is a single
/// number, <c>jeq</c> each of those numbers (heaviest first), then B: this is how
/// libseccomp tests a few syscalls in a sea of the default, and costs one test per number
/// where a split costs two.</item>
/// </list>
/// The weights say how often the filter meets a range (see <see cref="SeccompCompiler"/>),
/// so frequent outcomes sit near the root. Ties go to the first candidate: the same input
/// gives the same plan.
/// </summary>
internal static class DispatchPlanner
{
    /// <summary>A node of the plan.</summary>
    internal abstract record Node;

    /// <summary>The outcome of range <paramref name="Range"/>.</summary>
    internal sealed record Leaf(int Range) : Node;

    /// <summary><c>jge #Threshold</c>.</summary>
    internal sealed record Split(uint Threshold, Node Below, Node AtOrAbove) : Node;

    /// <summary><c>jeq #Number</c>.</summary>
    internal sealed record Point(uint Number, Node Equal, Node Other) : Node;

    /// <summary>One range as the planner sees it: where it starts, whether it is one number, which outcome, how often met.</summary>
    internal readonly record struct Item(uint First, bool IsPoint, long Outcome, long Weight);

    /// <summary>The longest chain considered: a longer one is never cheaper than a split in the corpus.</summary>
    private const int MaxChain = 12;

    /// <summary>Above this many ranges the quadratic tables grow large: weight-balanced splits instead.</summary>
    private const int MaxExact = 640;

    /// <summary>In a cell of the choice table: the chain beats the best split.</summary>
    private const short ChainFlag = 0x4000;

    internal static Node Plan(List<Item> items, long testCost)
    {
        var m = items.Count;
        var prefix = new long[m + 1];
        for (var i = 0; i < m; i++)
        {
            prefix[i + 1] = prefix[i] + items[i].Weight;
        }
        if (m > MaxExact)
        {
            return Balanced(items, prefix, 0, m - 1);
        }
        // A range sits at most m - 1 tests deep and a run has at most m - 1 tests (a chain at
        // most MaxChain), so every cost is below this bound; under int's range the cost
        // table is half the size, and a launch pays a page fault per page it touches.
        var bound = (prefix[m] + testCost) * Math.Max(m, MaxChain + 1);
        // A sum of two costs plus a run's weight stays below twice the bound.
        return bound < int.MaxValue / 2
            ? Solve<int>(items, prefix, testCost, m)
            : Solve<long>(items, prefix, testCost, m);
    }

    /// <summary>
    /// The dynamic program, costs held as <typeparamref name="TCost"/>. The tables of [i..j],
    /// j >= i, are packed by row (<see cref="At"/>); one cell of <c>choice</c> holds the best
    /// split of the run (which Knuth's bound reads) and <see cref="ChainFlag"/> when the
    /// chain is cheaper still. m <= MaxExact keeps a split index below the flag.
    /// </summary>
    private static Node Solve<TCost>(List<Item> items, long[] prefix, long testCost, int m)
        where TCost : struct, System.Numerics.IBinaryInteger<TCost>, System.Numerics.IMinMaxValue<TCost>
    {
        var cells = m * (m + 1) / 2;
        // Every cell is written before it is read: no need to clear them first.
        var cost = Tables<TCost>.Take(ref Tables<TCost>.Cost, cells);
        var choice = Tables<TCost>.Take(ref Tables<TCost>.Choice, cells);
        var chains = new ChainTable<TCost>(items, testCost);
        for (var i = 0; i < m; i++)
        {
            var at = At(m, i, i);
            cost[at] = TCost.Zero;
            choice[at] = (short)i;
        }
        for (var len = 2; len <= m; len++)
        {
            for (var i = 0; i + len - 1 < m; i++)
            {
                var j = i + len - 1;
                // Knuth: the best split of [i..j] lies between those of [i..j-1] and [i+1..j].
                var from = len == 2 ? j : Math.Max(i + 1, choice[At(m, i, j - 1)] & ~ChainFlag);
                // At least one candidate, should the bounds ever cross (a chain breaks the
                // quadrangle inequality Knuth's bound rests on): never MaxValue plus a weight.
                var to = len == 2 ? j : Math.Max(from, Math.Min(j, choice[At(m, i + 1, j)] & ~ChainFlag));
                var best = TCost.MaxValue;
                var bestK = from;
                for (var k = from; k <= to; k++)
                {
                    var c = cost[At(m, i, k - 1)] + cost[At(m, k, j)];
                    if (c < best)
                    {
                        best = c;
                        bestK = k;
                    }
                }
                best += TCost.CreateTruncating(prefix[j + 1] - prefix[i] + testCost);
                var at = At(m, i, j);
                choice[at] = (short)bestK;
                var chain = chains.Cost(i, j);
                if (chain < best)
                {
                    best = chain;
                    choice[at] |= ChainFlag;
                }
                cost[at] = best;
            }
        }
        return Build(items, choice, chains, m, 0, m - 1);
    }

    /// <summary>
    /// The tables of the last plan made on this thread, taken again by the next one when they
    /// are large enough: a launch plans an x86_64 and an x86 block, and each page of fresh
    /// memory costs a page fault. A plan is built into nodes before the next one starts.
    /// </summary>
    private static class Tables<TCost>
        where TCost : struct
    {
        [ThreadStatic]
        internal static TCost[]? Cost;

        [ThreadStatic]
        internal static short[]? Choice;

        [ThreadStatic]
        internal static TCost[]? Chains;

        internal static T[] Take<T>(ref T[]? held, int size) =>
            held is { } array && array.Length >= size ? array : held = GC.AllocateUninitializedArray<T>(size);
    }

    /// <summary>The number of tests in a plan: its size in instructions, leaves aside.</summary>
    internal static int Tests(Node node) =>
        node switch
        {
            Split s => 1 + Tests(s.Below) + Tests(s.AtOrAbove),
            Point p => 1 + Tests(p.Equal) + Tests(p.Other),
            _ => 0,
        };

    /// <summary>What a leaf of the plan becomes: a label to jump to, and the code to place there (null when it is placed elsewhere).</summary>
    internal readonly record struct LeafCode(Assembler.Label Label, Action? Emit);

    /// <summary>
    /// Emits a plan at the current position (A holds the compared word): each test, then the
    /// code of its sides that have some, the false side first. A leaf without code of its own
    /// (a shared return, shared code) is a jump target and costs nothing.
    /// </summary>
    internal static void Emit(Assembler asm, ReturnPool returns, Node node, Func<int, LeafCode> leaf)
    {
        switch (node)
        {
            case Leaf l:
                var code = leaf(l.Range);
                if (code.Emit is { } emit)
                {
                    asm.Mark(code.Label);
                    emit();
                }
                else
                {
                    asm.Jump(code.Label);
                }
                break;
            case Split split:
                EmitTest(asm, returns, BPF_JGE, split.Threshold, split.AtOrAbove, split.Below, leaf);
                break;
            case Point point:
                EmitTest(asm, returns, BPF_JEQ, point.Number, point.Equal, point.Other, leaf);
                break;
        }
    }

    private static void EmitTest(Assembler asm, ReturnPool returns, ushort op, uint k, Node whenTrue, Node whenFalse, Func<int, LeafCode> leaf)
    {
        var t = Side(asm, whenTrue, leaf);
        var f = Side(asm, whenFalse, leaf);
        asm.JumpIf(op, k, t.Label, f.Label);
        returns.FlushIfFar();
        Place(asm, returns, whenFalse, f, leaf);
        Place(asm, returns, whenTrue, t, leaf);
    }

    /// <summary>Where a side starts: a leaf's own label, or a new one for a subtree.</summary>
    private static LeafCode Side(Assembler asm, Node side, Func<int, LeafCode> leaf) =>
        side is Leaf l ? leaf(l.Range) : new LeafCode(asm.NewLabel(), null);

    private static void Place(Assembler asm, ReturnPool returns, Node side, LeafCode at, Func<int, LeafCode> leaf)
    {
        if (side is Leaf)
        {
            if (at.Emit is { } emit)
            {
                asm.Mark(at.Label);
                emit();
            }
            return;
        }
        asm.Mark(at.Label);
        Emit(asm, returns, side, leaf);
    }

    /// <summary>Where [i..j] (j >= i) is in the packed tables: row i starts after the rows above it.</summary>
    private static int At(int m, int i, int j) => (i * m) - (i * (i - 1) / 2) + (j - i);

    private static Node Build<TCost>(List<Item> items, short[] choice, ChainTable<TCost> chains, int m, int i, int j)
        where TCost : struct, System.Numerics.IBinaryInteger<TCost>, System.Numerics.IMinMaxValue<TCost>
    {
        if (i == j)
        {
            return new Leaf(i);
        }
        var c = choice[At(m, i, j)];
        if ((c & ChainFlag) != 0)
        {
            var (exceptions, background) = chains.Shape(i, j);
            Node node = new Leaf(background);
            for (var t = exceptions.Count - 1; t >= 0; t--)
            {
                node = new Point(items[exceptions[t]].First, new Leaf(exceptions[t]), node);
            }
            return node;
        }
        return new Split(items[c].First, Build(items, choice, chains, m, i, c - 1), Build(items, choice, chains, m, c, j));
    }

    /// <summary>Past <see cref="MaxExact"/> ranges: split where the weight halves.</summary>
    private static Node Balanced(List<Item> items, long[] prefix, int i, int j)
    {
        if (i == j)
        {
            return new Leaf(i);
        }
        var half = (prefix[i] + prefix[j + 1]) / 2;
        var k = i + 1;
        while (k < j && prefix[k + 1] <= half)
        {
            k++;
        }
        return new Split(items[k].First, Balanced(items, prefix, i, k - 1), Balanced(items, prefix, k, j));
    }

    /// <summary>
    /// The chains: for a run [i..j], the outcome B that the jeq tests fall back to (the one
    /// outcome of every range longer than one number, else the most frequent), the numbers
    /// tested (every range of another outcome), and the cost.
    /// </summary>
    private sealed class ChainTable<TCost>
        where TCost : struct, System.Numerics.IBinaryInteger<TCost>, System.Numerics.IMinMaxValue<TCost>
    {
        private const int Span = (2 * MaxChain) + 1;

        private readonly List<Item> items;

        /// <summary>The cost of the chain over [i..i+d] at [i * Span + d]; MaxValue where there is none.</summary>
        private readonly TCost[] _costs;

        /// <summary>
        /// Computes every chain's cost up front, one start at a time, adding a range per step:
        /// the ranges so far sorted by weight (heaviest first, then in number order, the order
        /// the tests are placed in), how often each outcome occurs, and the outcome of the
        /// ranges longer than one number.
        /// </summary>
        internal ChainTable(List<Item> items, long testCost)
        {
            this.items = items;
            var m = items.Count;
            _costs = Tables<TCost>.Take(ref Tables<TCost>.Chains, m * Span);
            _costs.AsSpan(0, m * Span).Fill(TCost.MaxValue);
            var sorted = new List<int>(Span);
            var counts = new List<(long Outcome, int Count)>(Span);
            for (var i = 0; i < m; i++)
            {
                sorted.Clear();
                counts.Clear();
                long? wide = null;
                for (var j = i; j < m && j - i < Span; j++)
                {
                    var item = items[j];
                    if (!item.IsPoint)
                    {
                        if (wide is { } w && w != item.Outcome)
                        {
                            break;
                        }
                        wide = item.Outcome;
                    }
                    var at = 0;
                    while (at < sorted.Count && items[sorted[at]].Weight >= item.Weight)
                    {
                        at++;
                    }
                    sorted.Insert(at, j);
                    Tally(counts, item.Outcome);
                    if (j == i)
                    {
                        continue;
                    }
                    var b = wide ?? MostFrequent(counts);
                    long cost = 0, background = 0;
                    var tests = 0;
                    foreach (var r in sorted)
                    {
                        if (items[r].Outcome == b)
                        {
                            background += items[r].Weight;
                        }
                        else
                        {
                            // The t-th number tested is reached after t tests; B after all of them.
                            tests++;
                            cost += items[r].Weight * tests;
                        }
                    }
                    if (tests <= MaxChain)
                    {
                        _costs[(i * Span) + j - i] = TCost.CreateTruncating(cost + ((background + testCost) * tests));
                    }
                }
            }
        }

        /// <summary>Counts one more range of an outcome (outcomes in the order first met).</summary>
        private static void Tally(List<(long Outcome, int Count)> counts, long outcome)
        {
            var found = -1;
            for (var k = 0; k < counts.Count && found < 0; k++)
            {
                found = counts[k].Outcome == outcome ? k : -1;
            }
            if (found < 0)
            {
                counts.Add((outcome, 1));
            }
            else
            {
                counts[found] = (outcome, counts[found].Count + 1);
            }
        }

        /// <summary>The outcome most ranges share; the first one met on a tie.</summary>
        private static long MostFrequent(List<(long Outcome, int Count)> counts)
        {
            var best = counts[0];
            foreach (var c in counts)
            {
                best = c.Count > best.Count ? c : best;
            }
            return best.Outcome;
        }

        /// <summary>The cost of the chain over [i..j]; MaxValue when the run has none.</summary>
        internal TCost Cost(int i, int j) => j - i < Span ? _costs[(i * Span) + j - i] : TCost.MaxValue;

        internal (List<int> Exceptions, int Background) Shape(int i, int j)
        {
            var b = Background(i, j)!.Value;
            var exceptions = new List<int>(j - i);
            var background = -1;
            for (var r = i; r <= j; r++)
            {
                if (items[r].Outcome == b)
                {
                    background = background < 0 ? r : background;
                    continue;
                }
                // Heaviest first; equal weights in number order (an insertion after its equals).
                var at = exceptions.Count;
                while (at > 0 && items[exceptions[at - 1]].Weight < items[r].Weight)
                {
                    at--;
                }
                exceptions.Insert(at, r);
            }
            return (exceptions, background);
        }

        /// <summary>The fallback outcome of a chain over [i..j], or null when the run has no chain.</summary>
        private long? Background(int i, int j)
        {
            long? wide = null;
            for (var r = i; r <= j; r++)
            {
                if (items[r].IsPoint)
                {
                    continue;
                }
                if (wide is { } w && w != items[r].Outcome)
                {
                    return null;
                }
                wide = items[r].Outcome;
            }
            if (wide is not null)
            {
                return wide;
            }
            // Only single numbers: fall back to the outcome that most of them share.
            var counts = new List<(long Outcome, int Count)>();
            for (var r = i; r <= j; r++)
            {
                Tally(counts, items[r].Outcome);
            }
            return MostFrequent(counts);
        }
    }
}
