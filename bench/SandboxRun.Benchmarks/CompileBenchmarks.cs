using BenchmarkDotNet.Attributes;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Benchmarks;

/// <summary>
/// What <c>sandboxrun run</c> does before it installs a filter: read Docker's default
/// profile (the built-in copy), resolve it for a machine and compile it. Target: at most
/// 1 ms per compile (issue 6).
/// </summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private byte[] _json = [];
    private Profile? _profile;
    private FilterPolicy? _policy;

    [Params("x86_64", "aarch64")]
    public string Machine { get; set; } = "x86_64";

    private TargetArch Target => Machine == "x86_64" ? TargetArch.X86_64 : TargetArch.Aarch64;

    private static ResolveOptions Options => new(Capabilities.Docker, new KernelVersion(6, 18), EnosysMode.Runc);

    [GlobalSetup]
    public void Setup()
    {
        _json = ProfileSource.BuiltInBytes("docker-default") ?? throw new InvalidOperationException("docker-default is not built in");
        _profile = ProfileReader.Read("docker-default", _json);
        _policy = PolicyResolver.Resolve(_profile, Target, Options);
    }

    /// <summary>The whole way: JSON bytes → program.</summary>
    [Benchmark(Baseline = true)]
    public object ParseResolveCompile() =>
        SeccompCompiler.Compile(PolicyResolver.Resolve(ProfileReader.Read("docker-default", _json), Target, Options));

    [Benchmark]
    public object Parse() => ProfileReader.Read("docker-default", _json);

    [Benchmark]
    public object Resolve() => PolicyResolver.Resolve(_profile!, Target, Options);

    [Benchmark]
    public object Compile() => SeccompCompiler.Compile(_policy!);
}
