namespace SandboxRun.Arch;

/// <summary>
/// A machine sandboxrun builds a filter for: its main ABI and the compat ABIs that a
/// profile may add beside it (SPEC.md §2). The Go name is what moby compares
/// <c>includes/excludes.arches</c> with (runtime.GOARCH).
/// </summary>
internal sealed class TargetArch
{
    private TargetArch(string name, string goName, Arch main, IReadOnlyList<Arch> subArches)
    {
        Name = name;
        GoName = goName;
        Main = main;
        SubArches = subArches;
    }

    internal static TargetArch X86_64 { get; } = new("x86_64", "amd64", Arch.X86_64, [Arch.X86, Arch.X32]);
    internal static TargetArch Aarch64 { get; } = new("aarch64", "arm64", Arch.Aarch64, [Arch.Arm]);

    internal static IReadOnlyList<TargetArch> All { get; } = [X86_64, Aarch64];

    internal string Name { get; }
    internal string GoName { get; }
    internal Arch Main { get; }
    internal IReadOnlyList<Arch> SubArches { get; }

    /// <summary>The main ABI first, then the compat ones: the order of blocks in a program.</summary>
    internal IEnumerable<Arch> AllArches => SubArches.Prepend(Main);

    internal bool Owns(Arch arch) => arch == Main || SubArches.Contains(arch);

    /// <summary>The machine this process runs on.</summary>
    internal static TargetArch Native =>
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => X86_64,
            System.Runtime.InteropServices.Architecture.Arm64 => Aarch64,
            var other => throw new PlatformNotSupportedException($"sandboxrun runs on x86_64 and aarch64, not {other}"),
        };

    internal static TargetArch? Find(string name) =>
        All.FirstOrDefault(t =>
            t.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
            || t.GoName.Equals(name, StringComparison.OrdinalIgnoreCase)
            || t.Main.ScmpName.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The value of an <c>--arch</c> option: this machine when absent, a usage error when unknown.</summary>
    internal static TargetArch FromOption(string? name) =>
        name is null
            ? Native
            : Find(name) ?? throw new Errors.UsageException($"--arch: unknown machine \"{name}\"{Profiles.DidYouMean.Hint(name, All.Select(t => t.Name))} (x86_64 or aarch64)");

    public override string ToString() => Name;
}
