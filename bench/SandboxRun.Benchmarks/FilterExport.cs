using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;

namespace SandboxRun.Benchmarks;

/// <summary>
/// <c>export DIR [PROFILE]</c>: the raw <c>struct sock_filter[]</c> programs that
/// native-tests/filter-bench installs, for this machine: <c>sandboxrun.bpf</c> (default
/// <c>--enosys runc</c>), <c>libseccomp-default.bpf</c> and <c>libseccomp-tree.bpf</c>.
/// With <c>--disasm</c>, their disassembly on standard output instead; <c>--enosys=off</c>
/// leaves out runc's ENOSYS stub.
/// </summary>
internal static class FilterExport
{
    internal static int Run(string[] args)
    {
        var disasm = args.Contains("--disasm");
        var rest = args.Where(a => a != "--disasm").ToList();
        var arch = rest.FirstOrDefault(a => a.StartsWith("--arch=", StringComparison.Ordinal));
        rest.Remove(arch ?? "");
        var enosys = rest.Remove("--enosys=off") ? EnosysMode.Off : EnosysMode.Runc;
        if (rest.Count is < 1 or > 2)
        {
            Console.Error.WriteLine("usage: export DIR [PROFILE] [--arch=x86_64|aarch64] [--enosys=off] [--disasm]");
            return 2;
        }
        var target = arch is null ? TargetArch.Native : arch == "--arch=aarch64" ? TargetArch.Aarch64 : TargetArch.X86_64;
        var profile = rest.Count == 2 ? ProfileSource.Load(rest[1]) : ProfileSource.Load("docker-default");
        var kernel = new KernelVersion(6, 18);
        var policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(Capabilities.Docker, kernel, enosys));
        var programs = new (string Name, BpfProgram Program)[]
        {
            ("sandboxrun", SeccompCompiler.Compile(policy)),
            ("libseccomp-default", DockerOracle.Build(profile, target, Capabilities.Docker, kernel, optimize: 1)),
            ("libseccomp-tree", DockerOracle.Build(profile, target, Capabilities.Docker, kernel, optimize: 2)),
        };
        foreach (var (name, program) in programs)
        {
            if (disasm)
            {
                Console.WriteLine($"=== {name}: {program.Length} instructions");
                Console.WriteLine(Disassembler.Disassemble(program));
                continue;
            }
            Directory.CreateDirectory(rest[0]);
            File.WriteAllBytes(Path.Combine(rest[0], name + ".bpf"), program.ToBytes());
        }
        return 0;
    }
}
