using System.CommandLine;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// The options that change which program a profile becomes: <c>--profile</c>, <c>--arch</c>,
/// <c>--caps</c>, <c>--cap-add</c>, <c>--cap-drop</c>, <c>--kernel</c>, <c>--enosys</c>;
/// shared by run, compile and check.
/// </summary>
internal sealed class PolicyOptions
{
    internal Option<string[]> Profile { get; } = new("--profile", "-p")
    {
        Description = "Profile: a JSON file, or a built-in name (see `sandboxrun profiles`); several stack, as the kernel stacks filters",
    };

    internal Option<string?> Arch { get; } = new("--arch")
    {
        Description = "Machine to build for: x86_64 or aarch64 (default: this one)",
    };

    internal Option<string> Caps { get; } = new("--caps")
    {
        Description = "Capability set that includes/excludes.caps are judged against: docker, current, all, none",
        DefaultValueFactory = _ => "docker",
    };

    internal Option<string[]> CapAdd { get; } = new("--cap-add") { Description = "Add a capability to the set (CAP_SYS_ADMIN or SYS_ADMIN)" };

    internal Option<string[]> CapDrop { get; } = new("--cap-drop") { Description = "Remove a capability from the set" };

    internal Option<string?> Kernel { get; } = new("--kernel") { Description = "Kernel version X.Y for minKernel (default: the running kernel)" };

    internal Option<string> Enosys { get; } = new("--enosys")
    {
        Description = "What syscalls the profile cannot know get: runc (ENOSYS above its highest name), known (ENOSYS for numbers absent from the tables), off",
        DefaultValueFactory = _ => "runc",
    };

    internal Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Do not print warnings about the profile" };

    internal void AddTo(Command command)
    {
        command.Options.Add(Profile);
        command.Options.Add(Arch);
        command.Options.Add(Caps);
        command.Options.Add(CapAdd);
        command.Options.Add(CapDrop);
        command.Options.Add(Kernel);
        command.Options.Add(Enosys);
        command.Options.Add(Quiet);
    }

    /// <summary>The values of these options in a parse result.</summary>
    internal PolicyArgs Read(ParseResult result) =>
        new(
            result.GetValue(Profile) ?? [],
            result.GetValue(Arch),
            result.GetValue(Caps) ?? "docker",
            result.GetValue(CapAdd) ?? [],
            result.GetValue(CapDrop) ?? [],
            result.GetValue(Kernel),
            result.GetValue(Enosys) ?? "runc",
            result.GetValue(Quiet));

    /// <summary>
    /// The profiles of compile and check, in the order given: several are stacked as run
    /// stacks them (each its own filter; the kernel takes the most restrictive answer).
    /// </summary>
    internal IReadOnlyList<FilterPolicy> LoadStack(ParseResult result)
    {
        var args = Read(result);
        if (args.Profiles.Count == 0)
        {
            throw new UsageException($"{result.CommandResult.Command.Name}: give --profile P (a file or a built-in name; several stack)");
        }
        return args.LoadAll(args.Profiles, args.Target());
    }
}

/// <summary>The values of the policy options, however they were parsed.</summary>
internal sealed record PolicyArgs(
    IReadOnlyList<string> Profiles,
    string? Arch,
    string Caps,
    IReadOnlyList<string> CapAdd,
    IReadOnlyList<string> CapDrop,
    string? Kernel,
    string Enosys,
    bool Quiet)
{
    internal TargetArch Target() => TargetArch.FromOption(Arch);

    internal ResolveOptions ResolveOptions()
    {
        var caps = Caps switch
        {
            "docker" => Capabilities.Docker,
            "current" => Capabilities.Current(),
            "all" => Capabilities.Full,
            "none" => Capabilities.None,
            _ => throw new UsageException($"--caps: unknown capability set \"{Caps}\" (docker, current, all or none)"),
        };
        foreach (var cap in CapAdd)
        {
            caps = caps.Add(CheckCap(cap, "--cap-add"));
        }
        foreach (var cap in CapDrop)
        {
            caps = caps.Drop(CheckCap(cap, "--cap-drop"));
        }

        var kernel = HostKernel.Version;
        if (Kernel is { } k)
        {
            var parts = k.Split('.');
            if (parts.Length != 2 || !KernelVersion.TryParseRelease(k, out kernel) || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
            {
                throw new UsageException($"--kernel: \"{k}\" is not a kernel version X.Y such as 5.15");
            }
        }

        var enosys = Enosys switch
        {
            "runc" => EnosysMode.Runc,
            "known" => EnosysMode.Known,
            "off" => EnosysMode.Off,
            var other => throw new UsageException($"--enosys: \"{other}\" is not runc, known or off"),
        };
        return new ResolveOptions(caps, kernel, enosys);
    }

    private static string CheckCap(string cap, string option)
    {
        var name = Capabilities.Normalize(cap);
        return Capabilities.IsKnown(name)
            ? name
            : throw new UsageException($"{option}: unknown capability \"{cap}\"{DidYouMean.Hint(name, Capabilities.All)}");
    }

    /// <summary>Reads each profile, prints its warnings, and resolves it for the machine.</summary>
    internal IReadOnlyList<FilterPolicy> LoadAll(IReadOnlyList<string> names, TargetArch target)
    {
        var options = ResolveOptions();
        var policies = new List<FilterPolicy>();
        foreach (var profile in ReadAll(names))
        {
            policies.Add(PolicyResolver.Resolve(profile, target, options));
        }
        return policies;
    }

    /// <summary>Reads each profile and prints its warnings (once, however many machines it is resolved for).</summary>
    internal IReadOnlyList<Profile> ReadAll(IReadOnlyList<string> names)
    {
        var profiles = new List<Profile>();
        foreach (var name in names)
        {
            var profile = ProfileSource.Load(name);
            if (!Quiet)
            {
                foreach (var warning in profile.Warnings)
                {
                    Console.Error.WriteLine($"sandboxrun: warning: {warning}");
                }
            }
            profiles.Add(profile);
        }
        return profiles;
    }
}
