using System.Text;
using static SandboxRun.Interop.Interop;

namespace SandboxRun.Recording;

/// <summary>
/// Reads a stopped task's memory with process_vm_readv, page by page (a read that crosses
/// into an unmapped page fails whole). What is read is only trusted once the supervisor has
/// checked, with SECCOMP_IOCTL_NOTIF_ID_VALID, that the task is still in that call
/// (<see cref="StillWaiting"/>): else the pid may be another process by now.
/// </summary>
internal sealed unsafe class TargetMemory(int listener)
{
    private const int Page = 4096;
    private const int MaxString = 4096;
    private readonly byte[] _buffer = new byte[MaxString];

    /// <summary>The NUL-terminated string at <paramref name="address"/>, or null when unreadable.</summary>
    internal string? ReadString(int pid, ulong address, ulong id)
    {
        if (address == 0)
        {
            return null;
        }
        var length = 0;
        while (length < MaxString)
        {
            var at = address + (ulong)length;
            var chunk = (int)Math.Min((ulong)(Page - (int)(at % Page)), (ulong)(MaxString - length));
            int read;
            fixed (byte* p = &_buffer[length])
            {
                var local = new Libc.IoVec { Base = p, Length = (nuint)chunk };
                var remote = new Libc.IoVec { Base = (void*)at, Length = (nuint)chunk };
                read = (int)Libc.ProcessVmReadv(pid, &local, 1, &remote, 1, 0);
            }
            if (read <= 0)
            {
                return null;
            }
            var nul = Array.IndexOf(_buffer, (byte)0, length, read);
            if (nul >= 0)
            {
                length = nul;
                return StillWaiting(id) ? Encoding.UTF8.GetString(_buffer, 0, length) : null;
            }
            length += read;
        }
        return StillWaiting(id) ? Encoding.UTF8.GetString(_buffer, 0, length) + "..." : null;
    }

    /// <summary>SECCOMP_IOCTL_NOTIF_ID_VALID: the task is still stopped in notification <paramref name="id"/>.</summary>
    internal bool StillWaiting(ulong id) => Libc.Ioctl(listener, Libc.SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;

    /// <summary>The task's command name (/proc/PID/comm), or "?" once it is gone.</summary>
    internal static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
