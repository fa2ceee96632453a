using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// The rules of one syscall as libseccomp 2.5 keeps them (db.c), rebuilt so that sandboxrun
/// decides overlapping and conflicting rules exactly as Docker's filter does. Each rule
/// becomes a chain of 32-bit comparisons; chains are merged into a tree whose levels are
/// ordered by rank, not by the order rules were written:
/// <list type="bullet">
/// <item>a higher argument index first, the high word before the low word;</item>
/// <item>then EQ/NE/MASKED_EQ before LT/LE before GT/GE;</item>
/// <item>then the larger datum first (the smaller for LT/LE); equal ranks keep their order.</item>
/// </list>
/// Adding a rule first prunes what the new rule makes redundant, then merges; the same
/// conditions with another action are refused (EEXIST), which makes Docker fail.
/// The nodes are mutable and reference counted, as the merge needs; the finished tree is
/// frozen into <see cref="DecisionLevel"/> and never changes again.
/// </summary>
internal sealed class RuleTree
{
    internal const int EEXIST = -17;

    /// <summary>One 32-bit comparison. Op is EQ, MASKED_EQ, GT or GE; OpOrig the rule's own operator.</summary>
    internal sealed class Node
    {
        internal int Arg;
        internal bool High;
        internal CompareOp Op;
        internal CompareOp OpOrig;
        internal uint Mask;
        internal uint Datum;
        internal ulong DatumFull;
        internal SeccompAction? ActT;
        internal SeccompAction? ActF;
        internal Node? NextT;
        internal Node? NextF;
        internal Node? Prev;
        internal Node? Next;
        internal int RefCount;

        internal bool IsLeaf => NextT is null && NextF is null;

        internal bool IsZombie => IsLeaf && ActT is null && ActF is null;
    }

    [Flags]
    private enum Match
    {
        None = 0,
        Match = 0x1,
        MatchOnce = 0x2,
        XFinished = 0x10,
        NFinished = 0x20,
        XPrefix = 0x100,
        NPrefix = 0x200,
        MatchSet = Match | MatchOnce,
        Redundant = Match | XFinished | NPrefix,
    }

    private sealed class State(Match flags, SeccompAction? action)
    {
        internal Match Flags = flags;
        internal readonly SeccompAction? Action = action;

        internal State Copy() => new(Flags, Action);
    }

    /// <summary>The root level (null for an unconditional entry).</summary>
    private Node? _chains;

    /// <summary>
    /// Steps taken by one <see cref="Add"/>. Some rule pairs send libseccomp 2.5.4 into an
    /// endless loop (e.g. <c>a1 &gt; 0x100000000 &amp;&amp; a5 &gt;= 5</c> then
    /// <c>a1 &gt; 0x100000000 &amp;&amp; a5 &lt;= 0x100000001</c> on x86_64): Docker hangs at container
    /// start. The port walks the same structure, so it counts its steps and gives up.
    /// </summary>
    private int _steps;
    private int _depth;

    private const int StepLimit = 1_000_000;

    /// <summary>Returned by <see cref="Add"/> when the merge does not end.</summary>
    internal const int ELOOP = -40;

    private sealed class EndlessMerge : Exception;

    private void Step()
    {
        if (++_steps > StepLimit)
        {
            throw new EndlessMerge();
        }
    }

    /// <summary>Counts a recursive descent; real trees are at most 18 levels deep (6 arguments × 3 nodes).</summary>
    private DepthScope Descend()
    {
        if (++_depth > 1000)
        {
            throw new EndlessMerge();
        }
        return new DepthScope(this);
    }

    private readonly struct DepthScope(RuleTree tree) : IDisposable
    {
        public void Dispose() => tree._depth--;
    }

    private readonly bool _wide;

    private RuleTree(bool wide) => _wide = wide;

    /// <summary>The action of an unconditional entry.</summary>
    internal SeccompAction? Unconditional { get; private set; }

    internal static RuleTree Empty(bool wide) => new(wide);

    // ---- rank and identity of nodes (db.c _db_chain_lt, _db_chain_eq) ----

    private static int ArgRank(Node n) => (n.Arg << 1) + (n.High ? 1 : 0);

    private static int OpRank(CompareOp op) =>
        op switch
        {
            CompareOp.MaskedEqual or CompareOp.Equal or CompareOp.NotEqual => 3,
            CompareOp.LessOrEqual or CompareOp.LessThan => 2,
            _ => 1,
        };

    /// <summary>Whether a ranks lower than b (goes after it in a level).</summary>
    private static bool RanksLower(Node a, Node b)
    {
        int aa = ArgRank(a), ba = ArgRank(b);
        if (aa != ba)
        {
            return aa < ba;
        }
        int ao = OpRank(a.OpOrig), bo = OpRank(b.OpOrig);
        if (ao != bo)
        {
            return ao < bo;
        }
        return a.OpOrig is CompareOp.LessOrEqual or CompareOp.LessThan ? a.Datum > b.Datum : a.Datum < b.Datum;
    }

    /// <summary>Same word, same rewritten operator, datum and mask: one node to the merge.</summary>
    private static bool SameTest(Node a, Node b) =>
        ArgRank(a) == ArgRank(b) && a.Op == b.Op && a.Datum == b.Datum && a.Mask == b.Mask;

    // ---- reference counting (db.c _db_node_put, _db_level_clean, _db_tree_put) ----

    private static Node? Get(Node? n)
    {
        if (n is not null)
        {
            n.RefCount++;
        }
        return n;
    }

    /// <summary>Drops one reference held in <paramref name="slot"/>; frees the node at zero and re-links its level.</summary>
    private int Put(ref Node? slot)
    {
        using var depth = Descend();
        var n = slot;
        if (n is null)
        {
            return 0;
        }
        var freed = 0;
        if (--n.RefCount == 0)
        {
            var prev = n.Prev;
            var next = n.Next;
            var nextT = n.NextT;
            var nextF = n.NextF;
            if (prev is not null)
            {
                prev.Next = null;
            }
            if (next is not null)
            {
                next.Prev = null;
            }
            if (prev is not null)
            {
                freed += Put(ref prev);
            }
            if (next is not null)
            {
                freed += Put(ref next);
            }
            if (prev is not null)
            {
                prev.Next = Get(next);
            }
            if (next is not null)
            {
                next.Prev = Get(prev);
            }
            slot = prev ?? next;
            freed += PutTree(ref nextT);
            freed += PutTree(ref nextF);
            freed++;
        }
        return freed;
    }

    private int CleanLevel(Node node)
    {
        var freed = 0;
        var n = node;
        while (n.Prev is not null)
        {
            Step();
            n = n.Prev;
        }
        var start = n;
        for (Node? i = n; i is not null; i = i.Next)
        {
            Step();
            var links = (i.Prev is not null ? 1 : 0) + (i.Next is not null ? 1 : 0);
            if (i.RefCount > links)
            {
                return freed;
            }
        }
        Node? cursor = start;
        while (cursor is not null)
        {
            Step();
            freed += Put(ref cursor);
        }
        return freed;
    }

    private int PutTree(ref Node? slot)
    {
        var freed = Put(ref slot);
        if (slot is not null)
        {
            freed += CleanLevel(slot);
        }
        return freed;
    }

    /// <summary>Removes <paramref name="node"/> (and zombies met on the way) from the tree under <paramref name="slot"/>.</summary>
    private int Remove(ref Node? slot, Node node)
    {
        using var depth = Descend();
        var freed = 0;
        if (slot is null)
        {
            return 0;
        }
        var c = slot;
        while (c.Prev is not null)
        {
            Step();
            c = c.Prev;
        }
        var found = false;
        while (true)
        {
            Step();
            if (ReferenceEquals(c, node))
            {
                found = true;
                break;
            }
            freed += Remove(ref c.NextT, node);
            freed += Remove(ref c.NextF, node);
            if (c.IsZombie)
            {
                found = true;
                break;
            }
            c = c.Next;
            if (c is null || freed != 0)
            {
                break;
            }
        }
        if (!found)
        {
            return freed;
        }
        if (ReferenceEquals(c, slot))
        {
            slot = c!.Prev ?? c.Next;
        }
        if (c!.Prev is not null)
        {
            c.Prev.Next = c.Next;
        }
        if (c.Next is not null)
        {
            c.Next.Prev = c.Prev;
        }
        c.Prev = null;
        c.Next = null;
        Node? gone = c;
        freed += Put(ref gone);
        return freed;
    }

    /// <summary>EEXIST when any action in the level of <paramref name="tree"/> and below differs from <paramref name="action"/>.</summary>
    private int CheckActions(Node? tree, SeccompAction? action)
    {
        using var depth = Descend();
        if (tree is null)
        {
            return 0;
        }
        var c = tree;
        while (c.Prev is not null)
        {
            Step();
            c = c.Prev;
        }
        for (Node? i = c; i is not null; i = i.Next)
        {
            Step();
            if ((i.ActT is { } t && t != action) || (i.ActF is { } f && f != action))
            {
                return EEXIST;
            }
            if (CheckActions(i.NextT, action) < 0 || CheckActions(i.NextF, action) < 0)
            {
                return EEXIST;
            }
        }
        return 0;
    }

    // ---- prune: drop what a new rule makes redundant (db.c _db_tree_prune) ----

    private int Prune(ref Node? existing, Node? n, State state)
    {
        using var depth = Descend();
        var freed = 0;
        var next = state.Copy();

        int Finish(bool fellThrough)
        {
            if (fellThrough)
            {
                next.Flags &= ~Match.Match;
            }
            if ((next.Flags & Match.Match) != 0)
            {
                state.Flags |= next.Flags;
            }
            else
            {
                state.Flags &= ~Match.Match;
            }
            return freed;
        }

        var x = existing;
        if (n is null || x is null || (state.Flags & Match.MatchSet) == Match.MatchOnce)
        {
            return Finish(false);
        }
        while (x.Prev is not null)
        {
            Step();
            x = x.Prev;
        }
        while (true)
        {
            Step();
            var xNext = x.Next;
            if (SameTest(x, n))
            {
                next.Flags |= Match.MatchSet;
                if (n.IsLeaf)
                {
                    next.Flags |= Match.NFinished;
                }
                if (x.IsLeaf)
                {
                    next.Flags |= Match.XFinished;
                }
                if ((x.ActT is not null || x.NextT is not null) && !(n.ActT is not null || n.NextT is not null))
                {
                    return Finish(false);
                }
                if ((x.ActF is not null || x.NextF is not null) && !(n.ActF is not null || n.NextF is not null))
                {
                    return Finish(false);
                }
                if ((next.Flags & Match.NFinished) != 0 && (next.Flags & Match.XFinished) != 0
                    && (n.ActT != x.ActT || n.ActF != x.ActF))
                {
                    return Finish(false);
                }
                var xGone = false;
                foreach (var trueSide in (ReadOnlySpan<bool>)[true, false])
                {
                    var nChild = trueSide ? n.NextT : n.NextF;
                    if (nChild is null)
                    {
                        continue;
                    }
                    Get(x);
                    var sub = state.Copy();
                    sub.Flags |= Match.MatchSet;
                    freed += trueSide ? Prune(ref x.NextT, nChild, sub) : Prune(ref x.NextF, nChild, sub);
                    Node? held = x;
                    freed += Put(ref held);
                    x = held;
                    if ((sub.Flags & Match.Match) != 0)
                    {
                        next.Flags |= sub.Flags;
                    }
                    if (x is null)
                    {
                        xGone = true;
                        break;
                    }
                }
                if (!xGone)
                {
                    var sameActions = CheckActions(x, next.Action) == 0 && (next.Flags & Match.Match) != 0;
                    if (sameActions && (next.Flags & Match.NFinished) != 0 && (next.Flags & Match.XPrefix) != 0)
                    {
                        freed += Remove(ref _chains, x!);
                        if (_chains is null)
                        {
                            return Finish(false);
                        }
                    }
                    else if (sameActions && (next.Flags & Match.XFinished) != 0 && (next.Flags & Match.NPrefix) != 0)
                    {
                        return Finish(false);
                    }
                }
            }
            else if (RanksLower(x, n))
            {
                if ((state.Flags & Match.NPrefix) != 0)
                {
                    return Finish(false);
                }
                foreach (var trueSide in (ReadOnlySpan<bool>)[true, false])
                {
                    if ((trueSide ? x.NextT : x.NextF) is null)
                    {
                        continue;
                    }
                    Get(x);
                    var sub = state.Copy();
                    sub.Flags = (sub.Flags & ~Match.Match) | Match.XPrefix;
                    freed += trueSide ? Prune(ref x.NextT, n, sub) : Prune(ref x.NextF, n, sub);
                    Node? held = x;
                    freed += Put(ref held);
                    x = held;
                    if ((sub.Flags & Match.Match) != 0)
                    {
                        next.Flags |= sub.Flags;
                        return Finish(false);
                    }
                    if (x is null)
                    {
                        break;
                    }
                }
            }
            else
            {
                if ((state.Flags & Match.XPrefix) != 0)
                {
                    return Finish(false);
                }
                foreach (var trueSide in (ReadOnlySpan<bool>)[true, false])
                {
                    var nChild = trueSide ? n.NextT : n.NextF;
                    if (nChild is null)
                    {
                        continue;
                    }
                    Get(x);
                    var sub = state.Copy();
                    sub.Flags = (sub.Flags & ~Match.Match) | Match.NPrefix;
                    Node? held = x;
                    freed += Prune(ref held, nChild, sub);
                    freed += Put(ref held);
                    x = held;
                    if ((sub.Flags & Match.Match) != 0)
                    {
                        next.Flags |= sub.Flags;
                        return Finish(false);
                    }
                    if (x is null)
                    {
                        break;
                    }
                }
            }
            x = xNext;
            if (x is null)
            {
                break;
            }
        }
        return Finish(true);
    }

    // ---- add: merge a new chain into a level (db.c _db_tree_add) ----

    private int AddChain(ref Node? existing, Node n)
    {
        using var depth = Descend();
        var x = existing!;
        while (true)
        {
            Step();
            if (SameTest(x, n))
            {
                if (n.ActT is { } nt)
                {
                    if (x.ActT is null)
                    {
                        if (CheckActions(x.NextT, nt) != 0)
                        {
                            return EEXIST;
                        }
                        Put(ref x.NextT);
                        x.NextT = null;
                        x.ActT = nt;
                    }
                    else if (nt != x.ActT)
                    {
                        // On a merged high word the rule with the larger value keeps its action.
                        if (n.High && n.DatumFull > x.DatumFull)
                        {
                            x.ActT = nt;
                        }
                        if (x.IsLeaf || n.IsLeaf)
                        {
                            return EEXIST;
                        }
                    }
                }
                if (n.ActF is { } nf)
                {
                    if (x.ActF is null)
                    {
                        if (CheckActions(x.NextF, nf) != 0)
                        {
                            return EEXIST;
                        }
                        Put(ref x.NextF);
                        x.NextF = null;
                        x.ActF = nf;
                    }
                    else if (nf != x.ActF)
                    {
                        // libseccomp 2.5 assigns the true-side action here (sic), and an unset
                        // action is the value 0, KILL_THREAD; kept for exactness.
                        if (n.High && n.DatumFull < x.DatumFull && x.ActT is not null)
                        {
                            x.ActT = n.ActT ?? SeccompAction.KillThread;
                        }
                        if (x.IsLeaf || n.IsLeaf)
                        {
                            return EEXIST;
                        }
                    }
                }
                if (n.NextT is { } nChildT)
                {
                    if (x.NextT is not null)
                    {
                        var rc = AddChain(ref x.NextT, nChildT);
                        if (rc != 0)
                        {
                            return rc;
                        }
                    }
                    else if (x.ActT is null)
                    {
                        x.NextT = Get(nChildT);
                    }
                    else
                    {
                        return 0;
                    }
                }
                if (n.NextF is { } nChildF)
                {
                    if (x.NextF is not null)
                    {
                        var rc = AddChain(ref x.NextF, nChildF);
                        if (rc != 0)
                        {
                            return rc;
                        }
                    }
                    else if (x.ActF is null)
                    {
                        x.NextF = Get(nChildF);
                    }
                    else
                    {
                        return 0;
                    }
                }
                return 0;
            }
            if (!RanksLower(x, n))
            {
                if (x.Next is null)
                {
                    n.Prev = Get(x);
                    x.Next = Get(n);
                    return 0;
                }
                x = x.Next;
                continue;
            }
            // x ranks lower: n goes before it.
            if (x.Prev is not null)
            {
                x.Prev.Next = Get(n);
                n.Prev = x.Prev;
                x.Prev = Get(n);
                n.Next = x;
            }
            else
            {
                x.Prev = Get(n);
                n.Next = Get(x);
            }
            if (ReferenceEquals(existing, x))
            {
                existing = Get(n);
                Node? old = x;
                Put(ref old);
            }
            return 0;
        }
    }

    // ---- one rule as a chain (db.c _db_rule_gen_64, _db_rule_gen_32) ----

    private static Node NewNode(int arg, bool high, CompareOp op, CompareOp opOrig, uint mask, uint datum, ulong datumFull) =>
        new() { Arg = arg, High = high, Op = op, OpOrig = opOrig, Mask = mask, Datum = datum & mask, DatumFull = datumFull };

    /// <summary>
    /// The chain of a 64-bit ABI: each condition in argument order becomes two or three nodes
    /// on the high and low words. EQ/MASKED_EQ: hi == H → lo == L. NE: the same, matching on
    /// false. GT/GE/LT/LE: hi &gt; H, else hi == H → lo &gt; L (&gt;= for GE and LT); LT/LE match
    /// where GE/GT fail. The next condition hangs off every matching exit. A MASKED_EQ with a
    /// zero mask is always true and disappears; with none left the rule is unconditional.
    /// </summary>
    /// <summary>
    /// The conditions in argument order, equal indexes kept in their order (a stable sort).
    /// Most rules have none or are already in order: those are returned as they are.
    /// </summary>
    private static IReadOnlyList<ArgCondition> ByIndex(IReadOnlyList<ArgCondition> conditions)
    {
        for (var i = 1; i < conditions.Count; i++)
        {
            if (conditions[i].Index < conditions[i - 1].Index)
            {
                return [.. conditions.OrderBy(c => c.Index)];
            }
        }
        return conditions;
    }

    private static Node? Chain64(IReadOnlyList<ArgCondition> conditions, SeccompAction action)
    {
        Node? root = null;
        Node[]? previous = null;
        var previousOp = CompareOp.Equal;
        var sorted = ByIndex(conditions);
        for (var k = 0; k < sorted.Count; k++)
        {
            var c = sorted[k];
            var (mask, datum) = c.Op == CompareOp.MaskedEqual ? (c.Value, c.ValueTwo) : (ulong.MaxValue, c.Value);
            if (c.Op == CompareOp.MaskedEqual && mask == 0)
            {
                continue;
            }
            uint hm = (uint)(mask >> 32), lm = (uint)mask, hd = (uint)(datum >> 32), ld = (uint)datum;
            Node[] nodes;
            if (c.Op is CompareOp.GreaterThan or CompareOp.GreaterOrEqual or CompareOp.LessThan or CompareOp.LessOrEqual)
            {
                var low = c.Op is CompareOp.GreaterThan or CompareOp.LessOrEqual ? CompareOp.GreaterThan : CompareOp.GreaterOrEqual;
                nodes = [NewNode(c.Index, true, CompareOp.GreaterThan, c.Op, hm, hd, datum), NewNode(c.Index, true, CompareOp.Equal, c.Op, hm, hd, datum), NewNode(c.Index, false, low, c.Op, lm, ld, datum)];
                nodes[0].NextF = Get(nodes[1]);
                nodes[1].NextT = Get(nodes[2]);
            }
            else
            {
                var op = c.Op == CompareOp.MaskedEqual ? CompareOp.MaskedEqual : CompareOp.Equal;
                nodes = [NewNode(c.Index, true, op, c.Op, hm, hd, datum), NewNode(c.Index, false, op, c.Op, lm, ld, datum)];
                nodes[0].NextT = Get(nodes[1]);
            }
            if (previous is null)
            {
                root = Get(nodes[0]);
            }
            else
            {
                foreach (var (node, onTrue) in MatchExits(previous, previousOp))
                {
                    if (onTrue)
                    {
                        node.NextT = Get(nodes[0]);
                    }
                    else
                    {
                        node.NextF = Get(nodes[0]);
                    }
                }
            }
            previous = nodes;
            previousOp = c.Op;
        }
        if (previous is not null)
        {
            foreach (var (node, onTrue) in MatchExits(previous, previousOp))
            {
                if (onTrue)
                {
                    node.ActT = action;
                }
                else
                {
                    node.ActF = action;
                }
            }
        }
        return root;
    }

    /// <summary>Where a 64-bit condition's nodes say "the condition holds".</summary>
    private static IEnumerable<(Node Node, bool OnTrue)> MatchExits(Node[] nodes, CompareOp op) =>
        op switch
        {
            CompareOp.GreaterThan or CompareOp.GreaterOrEqual => [(nodes[0], true), (nodes[2], true)],
            CompareOp.LessThan or CompareOp.LessOrEqual => [(nodes[1], false), (nodes[2], false)],
            CompareOp.NotEqual => [(nodes[0], false), (nodes[1], false)],
            _ => [(nodes[1], true)],
        };

    /// <summary>
    /// The chain of a 32-bit ABI (x86, x32, arm): one node per condition on the low words
    /// only, the value and mask truncated to 32 bits. NE, LT and LE become EQ, GE and GT
    /// matching on false.
    /// </summary>
    private static Node? Chain32(IReadOnlyList<ArgCondition> conditions, SeccompAction action)
    {
        Node? root = null;
        Node? previous = null;
        var previousOnTrue = true;
        var sorted = ByIndex(conditions);
        for (var k = 0; k < sorted.Count; k++)
        {
            var c = sorted[k];
            var (mask, datum) = c.Op == CompareOp.MaskedEqual ? (c.Value, c.ValueTwo) : (ulong.MaxValue, c.Value);
            if (c.Op == CompareOp.MaskedEqual && (uint)mask == 0)
            {
                continue;
            }
            var (op, onTrue) = c.Op switch
            {
                CompareOp.NotEqual => (CompareOp.Equal, false),
                CompareOp.LessThan => (CompareOp.GreaterOrEqual, false),
                CompareOp.LessOrEqual => (CompareOp.GreaterThan, false),
                var same => (same, true),
            };
            var node = NewNode(c.Index, false, op, c.Op, (uint)mask, (uint)datum, datum);
            if (previous is null)
            {
                root = Get(node);
            }
            else if (previousOnTrue)
            {
                previous.NextT = Get(node);
            }
            else
            {
                previous.NextF = Get(node);
            }
            previous = node;
            previousOnTrue = onTrue;
        }
        if (previous is not null)
        {
            if (previousOnTrue)
            {
                previous.ActT = action;
            }
            else
            {
                previous.ActF = action;
            }
        }
        return root;
    }

    // ---- a rule into the syscall's entry (db.c db_rule_add) ----

    /// <summary>
    /// Adds one rule. Returns 0, or <see cref="EEXIST"/> when libseccomp refuses it. An
    /// unconditional entry ignores every later rule; an unconditional rule replaces a tree.
    /// </summary>
    internal int Add(SeccompAction action, IReadOnlyList<ArgCondition> conditions)
    {
        _steps = 0;
        _depth = 0;
        try
        {
            return AddRule(action, conditions);
        }
        catch (EndlessMerge)
        {
            return ELOOP;
        }
    }

    private int AddRule(SeccompAction action, IReadOnlyList<ArgCondition> conditions)
    {
        var chain = _wide ? Chain64(conditions, action) : Chain32(conditions, action);
        if (IsNew)
        {
            IsNew = false;
            _chains = chain;
            Unconditional = chain is null ? action : null;
            return 0;
        }
        if (_chains is null)
        {
            PutTree(ref chain);
            return 0; // existing unconditional: the new rule is ignored
        }
        if (chain is null)
        {
            PutTree(ref _chains);
            _chains = null;
            Unconditional = action;
            return 0;
        }
        var prune = new State(Match.None, action);
        var removed = Prune(ref _chains, chain, prune);
        if (removed > 0 && _chains is null)
        {
            _chains = chain; // the new rule made the whole tree redundant
            return 0;
        }
        if (removed == 0 && (prune.Flags & Match.Redundant) == Match.Redundant)
        {
            PutTree(ref chain);
            return 0; // the new rule is redundant
        }
        var rc = AddChain(ref _chains, chain);
        if (rc == 0)
        {
            // The new chain's own references go; the nodes the tree adopted stay.
            PutTree(ref chain);
        }
        return rc;
    }

    private bool IsNew { get; set; } = true;

    // ---- the finished tree ----

    /// <summary>The tree as immutable decision levels; null when unconditional or empty.</summary>
    internal DecisionLevel? Freeze()
    {
        if (_chains is null)
        {
            return null;
        }
        var memo = new Dictionary<Node, DecisionLevel>(ReferenceEqualityComparer.Instance);
        return FreezeLevel(_chains, memo);
    }

    private static DecisionLevel FreezeLevel(Node any, Dictionary<Node, DecisionLevel> memo)
    {
        // A level is a list; a cycle in it (which would hang libseccomp) must not hang us.
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var first = any;
        while (first.Prev is not null && seen.Add(first))
        {
            first = first.Prev;
        }
        if (memo.TryGetValue(first, out var done))
        {
            return done;
        }
        seen.Clear();
        var nodes = new List<DecisionNode>();
        for (Node? n = first; n is not null; n = n.Next)
        {
            if (!seen.Add(n))
            {
                throw new InvalidOperationException("a level of the rule tree is cyclic");
            }
            nodes.Add(new DecisionNode(
                n.Arg,
                n.High,
                n.Op,
                n.Mask,
                n.Datum,
                n.NextT is { } t ? FreezeLevel(t, memo) : null,
                n.ActT,
                n.NextF is { } f ? FreezeLevel(f, memo) : null,
                n.ActF));
        }
        var level = new DecisionLevel([.. nodes]);
        memo[first] = level;
        return level;
    }
}
