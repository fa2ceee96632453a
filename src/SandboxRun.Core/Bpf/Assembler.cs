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
