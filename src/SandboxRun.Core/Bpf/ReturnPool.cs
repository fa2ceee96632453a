namespace SandboxRun.Bpf;

/// <summary>
/// Shared return blocks: every branch that ends in <c>ret #k</c> jumps to one copy of that
/// instruction instead of having its own. Classic BPF jumps forward only and a conditional
/// jump reaches 255 instructions, so the copies are placed in pools behind the code that
/// uses them, a new pool once the oldest waiting use would drift out of reach. A pool may
/// only go where nothing falls through into it: the compiler calls <see cref="FlushIfFar"/>
/// right after a branch or a return. A use that still ends up too far costs a <c>ja</c>
/// (the assembler adds it), never a wrong jump.
/// </summary>
internal sealed class ReturnPool(Assembler asm)
{
    /// <summary>Distance from the oldest waiting use at which a pool is placed; leaves room for the pool and a leaf.</summary>
    private const int Reach = 160;

    private readonly List<(uint Value, Assembler.Label Label, int FirstUse)> _waiting = [];

    /// <summary>The label of a <c>ret #k</c> placed later.</summary>
    internal Assembler.Label For(uint k)
    {
        foreach (var w in _waiting)
        {
            if (w.Value == k)
            {
                return w.Label;
            }
        }
        var label = asm.NewLabel();
        _waiting.Add((k, label, asm.Position));
        return label;
    }

    /// <summary>Places the waiting returns here when the oldest use is about to lose them.</summary>
    internal void FlushIfFar()
    {
        if (_waiting.Count > 0 && asm.Position - _waiting[0].FirstUse > Reach)
        {
            Flush();
        }
    }

    /// <summary>Places every waiting return here.</summary>
    internal void Flush()
    {
        foreach (var (value, label, _) in _waiting)
        {
            asm.Mark(label);
            asm.Return(value);
        }
        _waiting.Clear();
    }
}
