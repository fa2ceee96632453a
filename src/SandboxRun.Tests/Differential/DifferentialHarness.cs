using System.Globalization;
using System.Text;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Bpf;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Oracle;

namespace SandboxRun.Tests.Differential;

/// <summary>
/// Runs sandboxrun's program and libseccomp's on the same inputs and sorts out the
/// disagreements: those caused by a known defect of libseccomp 2.5.4 are counted apart,
/// every other one is a failure.
/// </summary>
internal sealed class DifferentialHarness
{
    internal long Compared { get; private set; }
    internal long KnownLibseccompGaps { get; private set; }
    internal long KnownMissingLoads { get; private set; }
    internal List<string> Failures { get; } = [];
    internal SortedSet<string> GapNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Compiles both sides and compares them; false when libseccomp refused the profile.</summary>
    internal bool Compare(string label, Profile profile, TargetArch target, Capabilities caps, KernelVersion kernel)
    {
        FilterPolicy? policy = null;
        BpfProgram? theirs = null;
        string? ourRefusal = null, theirRefusal = null;
        try
        {
            policy = PolicyResolver.Resolve(profile, target, new ResolveOptions(caps, kernel, EnosysMode.Off));
        }
        catch (PolicyException e)
        {
            ourRefusal = e.Message;
        }
        try
        {
            theirs = DockerOracle.Build(profile, target, caps, kernel);
        }
        catch (OracleRefusedException e)
        {
            theirRefusal = e.Message;
        }
        if (policy is null || theirs is null)
        {
            if ((ourRefusal is null) != (theirRefusal is null))
            {
                Failures.Add($"{label} on {target} (caps {caps}, kernel {kernel}): sandboxrun {ourRefusal ?? "accepts it"}; libseccomp {theirRefusal ?? "accepts it"}");
            }
            return false;
        }
        var ours = SeccompCompiler.Compile(policy);
        var ambiguous = AccumulatorAnalysis.AmbiguousComparisons(theirs);
        var trace = new List<int>();
        foreach (var input in Inputs(policy))
        {
            Compared++;
            var a = Interpreter.Run(ours, input).ReturnValue;
            var b = Interpreter.Run(theirs, input).ReturnValue;
            if (a == b)
            {
                continue;
            }
            if (LibseccompLacks(target, input) is { } gap)
            {
                KnownLibseccompGaps++;
                GapNames.Add(gap);
                continue;
            }
            trace.Clear();
            Interpreter.Run(theirs, input, trace);
            if (trace.Any(ambiguous.Contains))
            {
                KnownMissingLoads++;
                continue;
            }
            if (Failures.Count < 20)
            {
                Failures.Add($"{label} on {target} (caps {caps}, kernel {kernel}): arch 0x{input.Arch:x8} nr {input.Nr} args [{string.Join(", ", input.Args.Select(v => "0x" + v.ToString("x", CultureInfo.InvariantCulture)))}]: sandboxrun {Disassembler.ActionText(a)}, libseccomp {Disassembler.ActionText(b)}");
            }
        }
        return true;
    }

    /// <summary>
    /// The syscall's name when libseccomp 2.5.4 does not know it on that ABI: runc then drops
    /// its rules, while a current libseccomp (and sandboxrun) applies them.
    /// </summary>
    private static string? LibseccompLacks(TargetArch target, SeccompData input)
    {
        var abi = target.AllArches.FirstOrDefault(a => a.AuditArch == input.Arch && (a != Arch.Arch.X32 || input.Nr >= Arch.Arch.X32_SYSCALL_BIT) && (a != Arch.Arch.X86_64 || input.Nr < Arch.Arch.X32_SYSCALL_BIT));
        if (abi?.NameOf(input.Nr) is not { } name)
        {
            return null;
        }
        var token = abi == Arch.Arch.X32 ? LibSeccomp.SCMP_ARCH_X32 : abi.AuditArch;
        // A negative number is unknown (__NR_SCMP_ERROR) or a pseudo-syscall: libseccomp's
        // table says the ABI lacks it (x32's map_shadow_stack, though the kernel has it).
        // The x86 socket and IPC calls are the exception: pseudo-syscalls that libseccomp
        // turns into socketcall/ipc rules, which are compared like any other.
        var known = LibSeccomp.ResolveNameArch(token, name) >= 0 || (abi == Arch.Arch.X86 && SandboxRun.Policy.X86Multiplexer.Find(name) is not null);
        return known ? null : $"{abi.Name}:{name}";
    }

    /// <summary>
    /// Every arch value of the machine plus foreign ones; every number of each table up to
    /// 64 past its end, the x32 range, the edges of the 32-bit space; for numbers with rules,
    /// argument vectors built around every constant of the profile.
    /// </summary>
    internal static IEnumerable<SeccompData> Inputs(FilterPolicy policy)
    {
        var constants = Constants(policy.Profile);
        var rng = new Random(12345);
        uint[] foreign = [0, 0x12345678, Arch.Arch.AUDIT_ARCH_X86_64 ^ 0x80000000, policy.Target == TargetArch.X86_64 ? Arch.Arch.AUDIT_ARCH_AARCH64 : Arch.Arch.AUDIT_ARCH_X86_64];
        foreach (var arch in foreign)
        {
            yield return SeccompData.Of(arch, 0);
            yield return SeccompData.Of(arch, 59);
        }
        var withRules = policy.Arches.SelectMany(a => a.Syscalls.Select(s => (a.Arch.AuditArch, s.Number))).ToHashSet();
        foreach (var auditArch in policy.Target.AllArches.Select(a => a.AuditArch).Distinct())
        {
            var numbers = new SortedSet<uint>();
            foreach (var abi in policy.Target.AllArches.Where(a => a.AuditArch == auditArch))
            {
                var first = abi == Arch.Arch.X32 ? Arch.Arch.X32_SYSCALL_BIT : 0;
                var last = abi.Table.Where(e => e.Number < 0x0f0000 || abi != Arch.Arch.Arm).Max(e => e.Number) + 64;
                for (var n = first; n <= last; n++)
                {
                    numbers.Add(n);
                }
                if (abi == Arch.Arch.Arm)
                {
                    for (uint n = 0x0f0000; n <= 0x0f0010; n++)
                    {
                        numbers.Add(n);
                    }
                }
            }
            foreach (var edge in new uint[] { 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000, 0xc0000001, 0xfffffffe, uint.MaxValue })
            {
                numbers.Add(edge);
            }
            foreach (var nr in numbers)
            {
                yield return SeccompData.Of(auditArch, nr);
                if (!withRules.Contains((auditArch, nr)))
                {
                    continue;
                }
                for (var index = 0; index < 6; index++)
                {
                    foreach (var c in constants)
                    {
                        var args = new ulong[6];
                        args[index] = c;
                        yield return SeccompData.Of(auditArch, nr, args);
                    }
                }
                for (var i = 0; i < 200; i++)
                {
                    var args = new ulong[6];
                    for (var j = 0; j < 6; j++)
                    {
                        args[j] = constants[rng.Next(constants.Count)];
                    }
                    yield return SeccompData.Of(auditArch, nr, args);
                }
            }
        }
    }

    /// <summary>Each value of the profile with its neighbours, its halves and its high bits set.</summary>
    private static List<ulong> Constants(Profile profile)
    {
        var set = new SortedSet<ulong> { 0, 1, 0xffffffff, 0x100000000, ulong.MaxValue, 0x8000000000000000 };
        foreach (var c in profile.Syscalls.SelectMany(r => r.Args))
        {
            foreach (var v in new[] { c.Value, c.ValueTwo, c.ValueTwo | ~c.Value, c.ValueTwo & c.Value })
            {
                set.Add(v);
                set.Add(v + 1);
                set.Add(v - 1);
                set.Add(v & 0xffffffff);
                set.Add(v | 0xffffffff00000000);
                set.Add(v ^ 0x100000000);
                set.Add(v ^ 0x80000000);
                set.Add((v & 0xffffffff00000000) | ((v + 1) & 0xffffffff));
                set.Add((v & 0xffffffff00000000) | ((v - 1) & 0xffffffff));
            }
        }
        return [.. set];
    }

    internal string Report()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Compared} inputs compared, {KnownLibseccompGaps} differ only where libseccomp 2.5.4 lacks the syscall ({string.Join(", ", GapNames)}), {KnownMissingLoads} where libseccomp's program compares a word it did not load, {Failures.Count} failures");
        foreach (var f in Failures)
        {
            text.Append('\n').Append(f);
        }
        return text.ToString();
    }
}
