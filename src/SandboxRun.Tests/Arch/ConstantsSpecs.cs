using System.Globalization;
using System.Runtime.InteropServices;
using CliWrap;
using CliWrap.Buffered;
using SandboxRun.Bpf;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Abi;

/// <summary>
/// The generated tables and the kernel ABI constants against this machine's C headers:
/// native-tests/check-constants (built with gcc from linux-libc-dev's asm/unistd_*.h,
/// linux/audit.h, linux/seccomp.h) prints every __NR_ of x86_64, x86 and x32 and the
/// constants; each must equal sandboxrun's. The headers are older (6.1) than the tables
/// (7.0): newer syscalls only add names.
/// </summary>
public sealed class ConstantsSpecs
{
    private static readonly Lazy<Task<string[]>> Output = new(BuildAndRunAsync);

    [SkippableFact(Timeout = 120_000)]
    public async Task I_can_find_every_header_syscall_number_in_the_generated_tables()
    {
        var lines = await Output.Value;
        var abis = new Dictionary<string, SandboxRun.Arch.Arch> { ["x86_64"] = SandboxRun.Arch.Arch.X86_64, ["x86"] = SandboxRun.Arch.Arch.X86, ["x32"] = SandboxRun.Arch.Arch.X32 };
        var compared = 0;
        var mismatches = new List<string>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || !abis.TryGetValue(parts[0], out var abi))
            {
                continue;
            }
            var expected = uint.Parse(parts[2], CultureInfo.InvariantCulture);
            compared++;
            if (!abi.TryGetNumber(parts[1], out var actual) || actual != expected)
            {
                mismatches.Add($"{line}: table has {(abi.Knows(parts[1]) ? actual.ToString(CultureInfo.InvariantCulture) : "no such name")}");
            }
        }
        Assert.True(compared > 1000, $"only {compared} numbers read");
        Assert.Empty(mismatches);
    }

    [Fact]
    public void I_can_rely_on_every_table_being_sorted_by_number_with_one_name_per_number()
    {
        // Arch bisects the numbers (NameOf, IndexOf, CountIn) and the generated name index
        // (TryGetNumber): all rely on this shape.
        foreach (var abi in SandboxRun.Arch.Arch.All)
        {
            for (var i = 1; i < abi.Table.Length; i++)
            {
                Assert.True(abi.Table[i - 1].Number < abi.Table[i].Number, $"{abi}: {abi.Table[i - 1]} before {abi.Table[i]}");
            }
            Assert.Equal(abi.Table.Length, abi.Table.Select(e => e.Name).Distinct(StringComparer.Ordinal).Count());
            Assert.All(abi.Table, e => Assert.Equal(e.Name, abi.NameOf(e.Number)));
            Assert.All(abi.Table, e => Assert.Equal((true, e.Number), (abi.TryGetNumber(e.Name, out var n), n)));
            Assert.Null(abi.NameOf(abi.MaxNumber + 1));
            // Ranges around every number, as the compiler's weights ask them.
            foreach (var e in abi.Table)
            {
                foreach (var (first, last) in new[] { (e.Number, e.Number), (e.Number - 1, e.Number + 1), (e.Number + 1, e.Number + 40), (0u, e.Number) })
                {
                    if (first > last)
                    {
                        continue; // around 0 the numbers wrap
                    }
                    Assert.Equal(abi.Table.Count(t => t.Number >= first && t.Number <= last), abi.CountIn(first, last));
                }
            }
        }
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task I_can_find_the_kernel_constants_as_the_headers_define_them()
    {
        var lines = await Output.Value;
        var values = lines.Where(l => l.StartsWith("const ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[1], p => uint.Parse(p[2], CultureInfo.InvariantCulture));
        Assert.Equal(SandboxRun.Arch.Arch.AUDIT_ARCH_X86_64, values["AUDIT_ARCH_X86_64"]);
        Assert.Equal(SandboxRun.Arch.Arch.AUDIT_ARCH_I386, values["AUDIT_ARCH_I386"]);
        Assert.Equal(SandboxRun.Arch.Arch.AUDIT_ARCH_AARCH64, values["AUDIT_ARCH_AARCH64"]);
        Assert.Equal(SandboxRun.Arch.Arch.AUDIT_ARCH_ARM, values["AUDIT_ARCH_ARM"]);
        Assert.Equal(SandboxRun.Arch.Arch.X32_SYSCALL_BIT, values["__X32_SYSCALL_BIT"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_KILL_PROCESS, values["SECCOMP_RET_KILL_PROCESS"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_KILL_THREAD, values["SECCOMP_RET_KILL_THREAD"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_TRAP, values["SECCOMP_RET_TRAP"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_ERRNO, values["SECCOMP_RET_ERRNO"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_USER_NOTIF, values["SECCOMP_RET_USER_NOTIF"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_TRACE, values["SECCOMP_RET_TRACE"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_LOG, values["SECCOMP_RET_LOG"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_ALLOW, values["SECCOMP_RET_ALLOW"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_ACTION_FULL, values["SECCOMP_RET_ACTION_FULL"]);
        Assert.Equal(SeccompAction.SECCOMP_RET_DATA, values["SECCOMP_RET_DATA"]);
        Assert.Contains("sizeof struct sock_filter 8", lines);
        Assert.Contains("sizeof struct seccomp_data 64", lines);
        Assert.Equal(8, Marshal.SizeOf<BpfInstruction>());
        Assert.Equal(ushort.MaxValue, (int)values["SECCOMP_RET_DATA"]);
        Assert.Equal(64, BpfConstants.SeccompDataSize);
    }

    private static async Task<string[]> BuildAndRunAsync()
    {
        Skip.IfNot(File.Exists("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"), "the x86_64 kernel headers (linux-libc-dev) are not installed");
        var make = await Cli.Wrap("make")
            .WithArguments(["-C", Path.Combine(Paths.RepoRoot, "native-tests"), "check-constants"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        Assert.True(make.ExitCode == 0, $"make check-constants failed:\n{make.StandardOutput}{make.StandardError}");
        return await File.ReadAllLinesAsync(Path.Combine(Paths.RepoRoot, "native-tests", "build", "check-constants.txt"));
    }
}
