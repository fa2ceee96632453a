using System.Globalization;
using System.Text;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;

namespace SandboxRun.Benchmarks;

/// <summary>
/// The table of <c>scripts/bench-filter</c>: for each profile and machine, program size and
/// BPF instructions executed per allowed syscall decision, for sandboxrun (<c>--enosys off</c>
/// and the default <c>runc</c>) and for the programs libseccomp 2.5.4 builds for Docker's
/// engine, in its default layout and as a binary tree. A decision is counted the way issue 6
/// counts it: every number 0–600 of the main ABI, zero arguments, that the program allows.
/// Also: the share of the argument-free allowed syscalls the kernel's action cache takes
/// (native and compat ABI), and the same costs on the compat ABIs.
/// </summary>
internal static class FilterTable
{
    private const uint LastNumber = 600;

    internal static int Run(string[] args)
    {
        var files = args.Length > 0 ? args.ToList() : DefaultProfiles();
        if (files.Count == 0)
        {
            Console.Error.WriteLine("filter-table: no profiles (../shared/corpus is absent; name profile files)");
            return 2;
        }
        if (!LibSeccomp.IsAvailable)
        {
            Console.Error.WriteLine("filter-table: libseccomp.so.2 is not installed (apt-get install libseccomp2)");
            return 2;
        }
        var main = new StringBuilder();
        var compat = new StringBuilder();
        main.AppendLine("| profile | machine | sandboxrun off | sandboxrun runc | libseccomp default | libseccomp tree | cached (sandboxrun) |");
        main.AppendLine("|---|---|---|---|---|---|---|");
        compat.AppendLine("| profile | ABI | sandboxrun runc | libseccomp default | libseccomp tree |");
        compat.AppendLine("|---|---|---|---|---|");
        foreach (var file in files)
        {
            var profile = ProfileReader.ReadFile(file);
            var name = Path.GetFileNameWithoutExtension(file);
            foreach (var target in TargetArch.All)
            {
                var off = Ours(profile, target, EnosysMode.Off);
                var runc = Ours(profile, target, EnosysMode.Runc);
                var linear = DockerOracle.Build(profile, target, Capabilities.Docker, Kernel, optimize: 1);
                var tree = DockerOracle.Build(profile, target, Capabilities.Docker, Kernel, optimize: 2);
                var mainArch = target.Main.AuditArch;
                main.Append(CultureInfo.InvariantCulture, $"| {name} | {target.Name} | {Cell(off.Program, mainArch, 0)} | {Cell(runc.Program, mainArch, 0)} | {Cell(linear, mainArch, 0)} | {Cell(tree, mainArch, 0)} | {Cached(runc)} |\n");
                foreach (var abi in target.SubArches.Where(a => runc.Policy.For(a) is not null))
                {
                    var first = abi == Arch.Arch.X32 ? Arch.Arch.X32_SYSCALL_BIT : 0;
                    compat.Append(CultureInfo.InvariantCulture, $"| {name} | {abi.Name} | {Cell(runc.Program, abi.AuditArch, first)} | {Cell(linear, abi.AuditArch, first)} | {Cell(tree, abi.AuditArch, first)} |\n");
                }
            }
        }
        Console.WriteLine("Instructions: program size / mean / max executed per allowed decision (numbers 0-600 of the main ABI, zero arguments).");
        Console.WriteLine("Docker capabilities, kernel 6.18; libseccomp 2.5.4 as runc calls it, without runc's ENOSYS stub.");
        Console.WriteLine();
        Console.Write(main);
        Console.WriteLine();
        Console.WriteLine("Compat ABIs of the same programs (numbers 0-600 of the ABI; x32 from 0x40000000):");
        Console.WriteLine();
        Console.Write(compat);
        return 0;
    }

    private static readonly KernelVersion Kernel = new(6, 18);

    private sealed record Compiled(FilterPolicy Policy, BpfProgram Program);

    private static Compiled Ours(Profile profile, TargetArch target, EnosysMode enosys)
    {
        var policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(Capabilities.Docker, Kernel, enosys));
        return new Compiled(policy, SeccompCompiler.Compile(policy));
    }

    private static string Cell(BpfProgram program, uint auditArch, uint first)
    {
        var (mean, max) = Cost(program, auditArch, first);
        return string.Create(CultureInfo.InvariantCulture, $"{program.Length} / {mean:F1} / {max}");
    }

    /// <summary>Mean and maximum instructions executed over the numbers the program allows, zero arguments.</summary>
    internal static (double Mean, int Max) Cost(BpfProgram program, uint auditArch, uint first)
    {
        long sum = 0;
        int count = 0, max = 0;
        for (var nr = first; nr <= first + LastNumber; nr++)
        {
            var result = Interpreter.Run(program, SeccompData.Of(auditArch, nr));
            if (SeccompAction.FromReturnValue(result.ReturnValue).Kind != ActionKind.Allow)
            {
                continue;
            }
            sum += result.Executed;
            count++;
            max = Math.Max(max, result.Executed);
        }
        return count == 0 ? (0, 0) : ((double)sum / count, max);
    }

    /// <summary>Of the syscalls the profile allows without reading arguments (native and compat ABI), how many the kernel caches.</summary>
    private static string Cached(Compiled c)
    {
        int wanted = 0, cached = 0;
        foreach (var block in c.Policy.Arches)
        {
            if (ActionCache.SyscallCount(block.Arch) is not { } count)
            {
                continue;
            }
            for (var nr = 0u; nr < count; nr++)
            {
                var outcome = PolicyEvaluator.Classify(c.Policy, block.Arch.AuditArch, nr);
                if (outcome.Action.Kind != ActionKind.Allow || outcome.Syscall is { ReadsArguments: true })
                {
                    continue;
                }
                wanted++;
                if (ActionCache.IsConstAllow(c.Program, block.Arch.AuditArch, nr))
                {
                    cached++;
                }
            }
        }
        return wanted == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{cached}/{wanted}");
    }

    /// <summary>../shared/corpus beside the repository, then profiles/.</summary>
    private static List<string> DefaultProfiles()
    {
        var root = RepoRoot();
        var corpus = Path.GetFullPath(Path.Combine(root, "..", "shared", "corpus"));
        return (Directory.Exists(corpus) ? Directory.GetFiles(corpus, "*.json") : [])
            .Order(StringComparer.Ordinal)
            .Concat(Directory.GetFiles(Path.Combine(root, "profiles"), "*.json").Order(StringComparer.Ordinal))
            .ToList();
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SandboxRun.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
