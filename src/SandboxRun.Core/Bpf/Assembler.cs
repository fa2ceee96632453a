using static SandboxRun.Bpf.BpfConstants;

namespace SandboxRun.Bpf;

/// <summary>
/// Builds a program from instructions that jump to symbolic labels, and alone resolves
/// offsets. Classic BPF jumps only forward; a conditional jump reaches at most 255
/// instructions, so a branch that lands farther goes through an unconditional <c>ja</c>
/// (32-bit offset) placed right after it. Offsets are found by relaxation: start with every
/// branch short, lengthen those that do not fit, repeat until nothing changes (branches
/// only grow, so this ends).
/// </summary>
internal sealed class Assembler
{
    internal readonly record struct Label(int Id);

    private abstract record Item;

    private sealed record Stmt(BpfInstruction Instruction) : Item;

    private sealed record Goto(Label Target) : Item;

    private sealed record Branch(ushort Op, uint K, Label True, Label False) : Item
    {
        internal bool FarTrue { get; set; }
        internal bool FarFalse { get; set; }
        internal int Size => 1 + (FarTrue ? 1 : 0) + (FarFalse ? 1 : 0);
    }

    private sealed record Bind(Label Label) : Item;

    private readonly List<Item> _items = [];
    private int _labels;

    /// <summary>Instructions emitted so far, counting every branch as one (before long jumps).</summary>
    internal int Position { get; private set; }

    internal Label NewLabel() => new(_labels++);

    internal void Mark(Label label) => _items.Add(new Bind(label));

    /// <summary><c>ld [k]</c>: a 32-bit word of seccomp_data.</summary>
    internal void Load(uint offset) => Add(new Stmt(BpfInstruction.Stmt(BPF_LD | BPF_W | BPF_ABS, offset)));

    /// <summary><c>and #k</c>.</summary>
    internal void And(uint k) => Add(new Stmt(BpfInstruction.Stmt(BPF_ALU | BPF_AND | BPF_K, k)));

    /// <summary><c>ret #k</c>.</summary>
    internal void Return(uint k) => Add(new Stmt(BpfInstruction.Stmt(BPF_RET | BPF_K, k)));

    /// <summary><c>ja label</c>.</summary>
    internal void Jump(Label target) => Add(new Goto(target));

    /// <summary><c>j&lt;op&gt; #k, whenTrue, whenFalse</c> with op one of BPF_JEQ/JGT/JGE/JSET.</summary>
    internal void JumpIf(ushort op, uint k, Label whenTrue, Label whenFalse) =>
        Add(new Branch(op, k, whenTrue, whenFalse));

    private void Add(Item item)
    {
        _items.Add(item);
        Position++;
    }

    internal BpfProgram Assemble()
    {
        MergeEqualBlocks();
        DropJumpsToNext();
        var addresses = new int[_labels];
        bool changed;
        do
        {
            ComputeAddresses(addresses);
            changed = false;
            var pc = 0;
            foreach (var item in _items)
            {
                if (item is Branch b)
                {
                    if (!b.FarTrue && addresses[b.True.Id] - (pc + 1) > byte.MaxValue)
                    {
                        b.FarTrue = changed = true;
                    }
                    if (!b.FarFalse && addresses[b.False.Id] - (pc + 1) > byte.MaxValue)
                    {
                        b.FarFalse = changed = true;
                    }
                }
                pc += Size(item);
            }
        }
        while (changed);

        var output = new List<BpfInstruction>();
        foreach (var item in _items)
        {
            var pc = output.Count;
            switch (item)
            {
                case Stmt s:
                    output.Add(s.Instruction);
                    break;
                case Goto g:
                    output.Add(BpfInstruction.Stmt(BPF_JMP | BPF_JA, (uint)Distance(addresses, g.Target, pc + 1)));
                    break;
                case Branch b:
                    var code = (ushort)(BPF_JMP | b.Op | BPF_K);
                    if (b.FarTrue && b.FarFalse)
                    {
                        output.Add(BpfInstruction.Jump(code, b.K, 0, 1));
                        output.Add(BpfInstruction.Stmt(BPF_JMP | BPF_JA, (uint)Distance(addresses, b.True, pc + 2)));
                        output.Add(BpfInstruction.Stmt(BPF_JMP | BPF_JA, (uint)Distance(addresses, b.False, pc + 3)));
                    }
                    else if (b.FarTrue)
                    {
                        output.Add(BpfInstruction.Jump(code, b.K, 0, (byte)Distance(addresses, b.False, pc + 1)));
                        output.Add(BpfInstruction.Stmt(BPF_JMP | BPF_JA, (uint)Distance(addresses, b.True, pc + 2)));
                    }
                    else if (b.FarFalse)
                    {
                        output.Add(BpfInstruction.Jump(code, b.K, (byte)Distance(addresses, b.True, pc + 1), 0));
                        output.Add(BpfInstruction.Stmt(BPF_JMP | BPF_JA, (uint)Distance(addresses, b.False, pc + 2)));
                    }
                    else
                    {
                        output.Add(BpfInstruction.Jump(code, b.K, (byte)Distance(addresses, b.True, pc + 1), (byte)Distance(addresses, b.False, pc + 1)));
                    }
                    break;
            }
        }
        return new BpfProgram([.. output]);
    }

    /// <summary>
    /// Cross-jumping: a block (code entered only through its labels, ending in a return or a
    /// jump) equal to a block shortly after it, jumps included, is removed and its labels
    /// moved to the later one, as libseccomp shares equal blocks. Blocks are compared from
    /// the end backwards, so a block whose targets were merged is compared with its targets'
    /// new labels. Only nearby blocks merge: a jump moved far would need a <c>ja</c>.
    /// </summary>
    private void MergeEqualBlocks()
    {
        const int Near = 100;
        var alias = new int[_labels];
        for (var i = 0; i < alias.Length; i++)
        {
            alias[i] = i;
        }
        // Blocks: a run of labels after a return or jump, then instructions up to the first return or jump.
        var blocks = new List<(int Start, int Body, int End, int Position)>();
        var position = 0;
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i] is not Bind)
            {
                position++;
                continue;
            }
            var body = i;
            while (body < _items.Count && _items[body] is Bind)
            {
                body++;
            }
            var end = body;
            while (end < _items.Count && _items[end] is Stmt s && !IsReturn(s))
            {
                end++;
            }
            if (i > 0 && EndsFlow(_items[i - 1]) && end < _items.Count && EndsFlow(_items[end]))
            {
                blocks.Add((i, body, end, position));
            }
            i = body - 1;
        }
        var latest = new Dictionary<(int Body, int End), (Label Label, int Position)>(new BlockComparer(_items));
        var removed = new bool[_items.Count];
        for (var b = blocks.Count - 1; b >= 0; b--)
        {
            var (start, body, end, at) = blocks[b];
            _items[end] = Retarget(_items[end], alias);
            var key = (body, end);
            if (latest.TryGetValue(key, out var later) && later.Position - at < Near)
            {
                for (var i = start; i <= end; i++)
                {
                    if (_items[i] is Bind bind)
                    {
                        alias[bind.Label.Id] = later.Label.Id;
                    }
                    removed[i] = true;
                }
                continue;
            }
            latest[key] = (((Bind)_items[start]).Label, at);
        }
        var kept = new List<Item>(_items.Count);
        for (var i = 0; i < _items.Count; i++)
        {
            if (removed[i])
            {
                continue;
            }
            kept.Add(Retarget(_items[i], alias));
        }
        _items.Clear();
        _items.AddRange(kept);
    }

    /// <summary>The label a merged label now stands for.</summary>
    private static Label Canon(int[] alias, Label l)
    {
        while (alias[l.Id] != l.Id)
        {
            l = new Label(alias[l.Id]);
        }
        return l;
    }

    /// <summary>A jump or branch with its targets replaced by what they stand for (the same item when none changes).</summary>
    private static Item Retarget(Item item, int[] alias)
    {
        switch (item)
        {
            case Branch br:
                Label t = Canon(alias, br.True), f = Canon(alias, br.False);
                return t == br.True && f == br.False ? br : new Branch(br.Op, br.K, t, f);
            case Goto g:
                var target = Canon(alias, g.Target);
                return target == g.Target ? g : new Goto(target);
            default:
                return item;
        }
    }

    private static bool IsReturn(Stmt s) => (s.Instruction.Code & 0x07) == BPF_RET;

    private static bool EndsFlow(Item item) => item is Branch or Goto || (item is Stmt s && IsReturn(s));

    /// <summary>
    /// Blocks (instructions body..end of the item list) compared by what they do: a statement's
    /// code and K, a branch's test and targets, a jump's target.
    /// </summary>
    private sealed class BlockComparer(List<Item> items) : IEqualityComparer<(int Body, int End)>
    {
        public bool Equals((int Body, int End) a, (int Body, int End) b)
        {
            if (a.End - a.Body != b.End - b.Body)
            {
                return false;
            }
            for (var k = 0; k <= a.End - a.Body; k++)
            {
                if (!Same(items[a.Body + k], items[b.Body + k]))
                {
                    return false;
                }
            }
            return true;
        }

        public int GetHashCode((int Body, int End) block)
        {
            var hash = new HashCode();
            for (var i = block.Body; i <= block.End; i++)
            {
                hash.Add(items[i] switch
                {
                    Stmt s => HashCode.Combine(1, s.Instruction.Code, s.Instruction.K),
                    Branch br => HashCode.Combine(2, br.Op, br.K, br.True.Id, br.False.Id),
                    Goto g => HashCode.Combine(3, g.Target.Id),
                    _ => 0,
                });
            }
            return hash.ToHashCode();
        }

        private static bool Same(Item x, Item y) =>
            (x, y) switch
            {
                (Stmt a, Stmt b) => a.Instruction.Code == b.Instruction.Code && a.Instruction.K == b.Instruction.K,
                (Branch a, Branch b) => a.Op == b.Op && a.K == b.K && a.True.Id == b.True.Id && a.False.Id == b.False.Id,
                (Goto a, Goto b) => a.Target.Id == b.Target.Id,
                (Stmt or Branch or Goto, _) or (_, Stmt or Branch or Goto) => false,
                _ => true,
            };
    }

    /// <summary>A <c>ja</c> to a label placed right after it (nothing in between) does nothing.</summary>
    private void DropJumpsToNext()
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (_items[i] is not Goto g)
            {
                continue;
            }
            for (var j = i + 1; j < _items.Count && _items[j] is Bind b; j++)
            {
                if (b.Label == g.Target)
                {
                    _items.RemoveAt(i);
                    break;
                }
            }
        }
    }

    private void ComputeAddresses(int[] addresses)
    {
        Array.Fill(addresses, -1);
        var pc = 0;
        foreach (var item in _items)
        {
            if (item is Bind bind)
            {
                addresses[bind.Label.Id] = pc;
            }
            pc += Size(item);
        }
    }

    private static int Size(Item item) =>
        item switch
        {
            Bind => 0,
            Branch b => b.Size,
            _ => 1,
        };

    private static int Distance(int[] addresses, Label target, int from)
    {
        var to = addresses[target.Id];
        if (to < 0)
        {
            throw new InvalidOperationException($"label {target.Id} was never placed");
        }
        if (to < from)
        {
            throw new InvalidOperationException($"label {target.Id} lies behind its jump: BPF jumps only forward");
        }
        return to - from;
    }
}
