using System.Runtime.InteropServices;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>native-tests/build/probe</c> (probe.c): one real syscall per run. It prints
/// <c>&lt;name&gt; errno=&lt;NAME&gt; ret=&lt;n&gt;</c> and exits with the errno, 0 on success, so an
/// allowed call shows its natural errno and a denied one the profile's.
/// </summary>
internal static class Probe
{
    /// <summary>The syscall does not exist on this ABI (or, for i386, this kernel runs none).</summary>
    internal const int Absent = 200;

    /// <summary>What a shell and .NET report for a process killed by SIGSYS (31): 128 + 31.</summary>
    internal const int KilledBySigsys = 128 + 31;

    internal static string Path => System.IO.Path.Combine(Repo.Root, "native-tests", "build", "probe");

    /// <summary>Skips the calling spec when the probe or the binary has not been built.</summary>
    internal static void SkipIfMissing()
    {
        Sandboxrun.SkipIfMissing();
        Skip.IfNot(File.Exists(Path), $"{Path} is missing: run make -C native-tests all (scripts/test does)");
    }

    /// <summary>The probe without sandboxrun: the control run, with the kernel's natural answers.</summary>
    internal static Task<BufferedCommandResult> RunAsync(params string[] args)
    {
        Skip.IfNot(File.Exists(Path), $"{Path} is missing: run make -C native-tests all (scripts/test does)");
        return Launch.ProcessAsync(Path, args);
    }

    /// <summary>The probe under <c>sandboxrun run OPTIONS --</c>.</summary>
    internal static Task<BufferedCommandResult> UnderAsync(IEnumerable<string> options, params string[] args)
    {
        SkipIfMissing();
        return Launch.RunAsync(options, [Path, .. args]);
    }

    /// <summary>The line the probe prints for a call that failed with <paramref name="errno"/>.</summary>
    internal static string Failed(string name, string errno) => $"{name} errno={errno} ret=-1\n";

    /// <summary>
    /// The natural answers need every capability: as another user the kernel's own
    /// capability checks answer EPERM first, which the specs could not tell from a filter's.
    /// </summary>
    internal static void SkipUnlessRoot() =>
        Skip.IfNot(Environment.IsPrivilegedProcess, "the control run needs root: unprivileged, the kernel itself answers EPERM to these calls");

    /// <summary>For the specs whose syscalls exist only on x86_64 (i386, x32, rmdir, ...).</summary>
    internal static void SkipUnlessX86_64() =>
        Skip.IfNot(RuntimeInformation.ProcessArchitecture == Architecture.X64, "x86_64 only: the syscalls of this spec exist on x86_64 alone");

    /// <summary>
    /// Skips when the kernel makes no i386 syscalls: without IA-32 emulation, <c>int $0x80</c>
    /// raises SIGSEGV before seccomp sees anything, and the probe reports the ABI absent.
    /// </summary>
    internal static async Task SkipUnlessI386SyscallsWorkAsync()
    {
        SkipUnlessX86_64();
        var getpid = await RunAsync("i386", "20");
        Skip.If(
            getpid.ExitCode == Absent,
            $"this kernel runs no i386 syscalls, so seccomp never sees one: {getpid.StandardOutput.Trim().Replace('\n', ' ')}");
        Launch.AssertExit(0, getpid);
    }
}
