using System.Runtime.InteropServices;
using System.Text;

namespace SandboxRun.Launch;

/// <summary>
/// NUL-terminated strings and NULL-terminated string arrays in native memory, built before
/// the filter so that nothing is allocated or marshalled after it. Freed only when the
/// launch fails (on success the process image is replaced).
/// </summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly List<nint> _blocks = [];

    internal byte* String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        _blocks.Add((nint)p);
        return p;
    }

    internal byte** Array(IReadOnlyList<string> items)
    {
        var p = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < items.Count; i++)
        {
            p[i] = String(items[i]);
        }
        p[items.Count] = null;
        _blocks.Add((nint)p);
        return p;
    }

    /// <summary>
    /// The envp of a launch: the given variables, or (null) this process's own environment,
    /// in its order, without the test hook <see cref="Launcher.AllocatorsVariable"/>. The
    /// latter are glibc's own strings: nothing is copied but the pointers.
    /// </summary>
    internal byte** Environment(IReadOnlyList<string>? variables)
    {
        if (variables is not null)
        {
            return Array(variables);
        }
        var environ = Interop.Interop.Libc.Environ();
        var count = 0;
        while (environ[count] is not null)
        {
            count++;
        }
        var p = (byte**)NativeMemory.Alloc((nuint)(count + 1), (nuint)sizeof(byte*));
        _blocks.Add((nint)p);
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (!MemoryMarshal.CreateReadOnlySpanFromNullTerminated(environ[i]).StartsWith(Launcher.AllocatorsEntry))
            {
                p[kept++] = environ[i];
            }
        }
        p[kept] = null;
        return p;
    }

    internal void* Copy(ReadOnlySpan<byte> bytes)
    {
        var p = NativeMemory.Alloc((nuint)Math.Max(1, bytes.Length));
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        _blocks.Add((nint)p);
        return p;
    }

    /// <summary>The <c>struct sock_fprog</c> of each filter, and its seccomp(2) flags.</summary>
    internal Interop.Interop.Libc.SockFprog* Programs(IReadOnlyList<InstallableFilter> filters, out uint[] flags)
    {
        var programs = Alloc<Interop.Interop.Libc.SockFprog>(filters.Count);
        flags = new uint[filters.Count];
        for (var i = 0; i < filters.Count; i++)
        {
            programs[i].Len = (ushort)filters[i].Program.Length;
            programs[i].Filter = Copy(filters[i].Program.ToBytes());
            flags[i] = filters[i].Flags;
        }
        return programs;
    }

    internal T* Alloc<T>(int count)
        where T : unmanaged
    {
        var p = (T*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(T));
        _blocks.Add((nint)p);
        return p;
    }

    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            NativeMemory.Free((void*)block);
        }
        _blocks.Clear();
    }
}
