using System.Runtime.InteropServices;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Profiles;

namespace SandboxRun.Tests.Oracle;

/// <summary>
/// What Docker's engine installs for a profile, rebuilt from its parts: moby's arch
/// choice and includes/excludes, runc's matchCall (one rule per name, skip the default
/// action, skip unresolvable names, split same-index conditions, optimize 2 past 32 rules),
/// and libseccomp 2.5.4 itself for everything else. Written apart from sandboxrun's own
/// resolver on purpose: the two meet only in the programs they produce. No ENOSYS stub
/// (libseccomp has none; the stub is tested on its own).
/// </summary>
internal static class DockerOracle
{
    /// <summary>
    /// The program; <paramref name="optimize"/> is libseccomp's SCMP_FLTATR_CTL_OPTIMIZE: 2 (binary
    /// tree, the default here) or 1 (libseccomp's own default, syscalls checked one by one).
    /// </summary>
    internal static BpfProgram Build(Profile profile, TargetArch target, Capabilities caps, KernelVersion kernel, int optimize = 2)
    {
        var ctx = LibSeccomp.Init(profile.DefaultAction.ReturnValue);
        if (ctx == IntPtr.Zero)
        {
            throw new InvalidOperationException("seccomp_init failed");
        }
        try
        {
            var native = target == TargetArch.X86_64 ? LibSeccomp.SCMP_ARCH_X86_64 : LibSeccomp.SCMP_ARCH_AARCH64;
            if (LibSeccomp.ArchNative() != native)
            {
                Check(LibSeccomp.ArchAdd(ctx, native), "arch_add native");
                Check(LibSeccomp.ArchRemove(ctx, LibSeccomp.ArchNative()), "arch_remove");
            }
            foreach (var token in ArchTokens(profile, target))
            {
                if (token != native)
                {
                    Check(LibSeccomp.ArchAdd(ctx, token), "arch_add");
                }
            }
            Check(LibSeccomp.AttrSet(ctx, LibSeccomp.SCMP_FLTATR_CTL_NNP, 0), "attr nnp");

            var kept = profile.Syscalls.Where(r => Kept(r, target, caps, kernel)).ToList();
            var perName = kept.SelectMany(r => r.Names.Select(n => (Rule: r, Name: n))).ToList();
            // runc: "libseccomp <= 2.5.4 misbehaves when binary tree optimization is enabled
            // and there are 0 rules"; it turns the tree on past 32 rules. Tree mode is used
            // whenever there is a rule, because the linear mode of 2.5.4 drops the syscall
            // number load on aarch64 (SPEC.md §7); the two modes decide alike otherwise.
            if (perName.Count > 0 && optimize != 1)
            {
                Check(LibSeccomp.AttrSet(ctx, LibSeccomp.SCMP_FLTATR_CTL_OPTIMIZE, (uint)optimize), "attr optimize");
            }
            foreach (var (rule, name) in perName)
            {
                if (rule.Action.ReturnValue == profile.DefaultAction.ReturnValue)
                {
                    continue;
                }
                var nr = LibSeccomp.ResolveName(name);
                if (nr == LibSeccomp.__NR_SCMP_ERROR)
                {
                    continue;
                }
                var counts = new int[6];
                foreach (var a in rule.Args)
                {
                    counts[a.Index]++;
                }
                if (counts.Any(c => c > 1))
                {
                    foreach (var a in rule.Args)
                    {
                        Add(ctx, rule.Action.ReturnValue, nr, [a], name);
                    }
                }
                else
                {
                    Add(ctx, rule.Action.ReturnValue, nr, rule.Args, name);
                }
            }
            return Export(ctx);
        }
        finally
        {
            LibSeccomp.Release(ctx);
        }
    }

    /// <summary>moby: archMap's entry for the main arch with its subarches, else the flat list.</summary>
    private static IEnumerable<uint> ArchTokens(Profile profile, TargetArch target)
    {
        var names = profile.ArchMap.Count > 0
            ? profile.ArchMap.Where(e => e.Architecture == target.Main.ScmpName).SelectMany(e => e.SubArchitectures.Prepend(e.Architecture))
            : profile.Architectures;
        var mine = target == TargetArch.X86_64
            ? new Dictionary<string, uint> { ["SCMP_ARCH_X86_64"] = LibSeccomp.SCMP_ARCH_X86_64, ["SCMP_ARCH_X86"] = LibSeccomp.SCMP_ARCH_X86, ["SCMP_ARCH_X32"] = LibSeccomp.SCMP_ARCH_X32 }
            : new Dictionary<string, uint> { ["SCMP_ARCH_AARCH64"] = LibSeccomp.SCMP_ARCH_AARCH64, ["SCMP_ARCH_ARM"] = LibSeccomp.SCMP_ARCH_ARM };
        return names.Where(mine.ContainsKey).Select(n => mine[n]).Distinct();
    }

    /// <summary>moby profiles/seccomp setupSeccomp: excludes first, then includes.</summary>
    private static bool Kept(SyscallRule rule, TargetArch target, Capabilities caps, KernelVersion kernel)
    {
        var goArch = target == TargetArch.X86_64 ? "amd64" : "arm64";
        if (rule.Excludes.Arches.Contains(goArch))
        {
            return false;
        }
        if (rule.Excludes.Caps.Any(caps.Has))
        {
            return false;
        }
        if (rule.Excludes.MinKernel is { } ex && kernel.CompareTo(ex) >= 0)
        {
            return false;
        }
        if (rule.Includes.Arches.Count > 0 && !rule.Includes.Arches.Contains(goArch))
        {
            return false;
        }
        if (!rule.Includes.Caps.All(caps.Has))
        {
            return false;
        }
        return rule.Includes.MinKernel is not { } inc || kernel.CompareTo(inc) >= 0;
    }

    private static unsafe void Add(IntPtr ctx, uint action, int nr, IReadOnlyList<ArgCondition> conditions, string name)
    {
        var args = conditions.Select(c => new LibSeccomp.ScmpArgCmp
        {
            Arg = (uint)c.Index,
            Op = (int)c.Op,
            DatumA = c.Value,
            DatumB = c.ValueTwo,
        }).ToArray();
        fixed (LibSeccomp.ScmpArgCmp* p = args)
        {
            var rc = LibSeccomp.RuleAddArray(ctx, action, nr, (uint)args.Length, p);
            if (rc < 0)
            {
                throw new OracleRefusedException(name, rc);
            }
        }
    }

    private static BpfProgram Export(IntPtr ctx)
    {
        var fd = LibSeccomp.MemfdCreate("oracle", 0);
        if (fd < 0)
        {
            throw new InvalidOperationException("memfd_create failed");
        }
        try
        {
            Check(LibSeccomp.ExportBpf(ctx, fd), "export_bpf");
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false);
            var length = RandomAccess.GetLength(handle);
            var bytes = new byte[length];
            RandomAccess.Read(handle, bytes, 0);
            return BpfProgram.FromBytes(bytes);
        }
        finally
        {
            _ = LibSeccomp.Close(fd);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0)
        {
            throw new InvalidOperationException($"libseccomp {what} failed: {rc}");
        }
    }
}

/// <summary>libseccomp refused a rule (runc would fail the container start).</summary>
internal sealed class OracleRefusedException(string name, int rc)
    : Exception($"libseccomp refused a rule for {name}: {rc} ({Marshal.GetPInvokeErrorMessage(-rc)})")
{
    internal int Code { get; } = rc;
}
