using System.CommandLine;
using System.Globalization;
using SandboxRun.Arch;
using SandboxRun.Diff;
using SandboxRun.Errors;
using SandboxRun.Policy;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun diff A B [--arch M]</c>: the decisions of A's and B's compiled programs that
/// differ, ABI by ABI; both machines unless <c>--arch</c> names one. Exit 0 when the
/// programs decide alike everywhere tried, 1 when they differ.
/// </summary>
internal static class DiffCommand
{
    internal static Command Create()
    {
        var policy = new PolicyOptions();
        var a = new Argument<string>("A") { Description = "The first profile: a file or a built-in name" };
        var b = new Argument<string>("B") { Description = "The second profile" };
        var command = new Command("diff", "Show where two profiles' compiled programs decide differently") { a, b };
        policy.AddTo(command);
        command.SetAction(result =>
        {
            var args = policy.Read(result);
            if (args.Profiles.Count > 0)
            {
                throw new UsageException("diff: give the two profiles as arguments, not with --profile");
            }
            var (nameA, nameB) = (result.GetValue(a)!, result.GetValue(b)!);
            IReadOnlyList<TargetArch> targets = args.Arch is null ? TargetArch.All : [args.Target()];
            var profiles = args.ReadAll([nameA, nameB]);
            var options = args.ResolveOptions();
            var differences = new List<ProgramDiff.Difference>();
            foreach (var target in targets)
            {
                differences.AddRange(ProgramDiff.Compare(PolicyResolver.Resolve(profiles[0], target, options), PolicyResolver.Resolve(profiles[1], target, options)));
            }
            if (differences.Count == 0)
            {
                return ExitCodes.Success;
            }
            Console.Out.WriteLine($"--- A: {nameA}");
            Console.Out.WriteLine($"+++ B: {nameB}");
            foreach (var group in differences.GroupBy(d => d.Abi))
            {
                Console.Out.WriteLine($"{group.Key.Name}:");
                foreach (var d in group)
                {
                    Write(d);
                }
            }
            var counts = string.Join(", ", differences.GroupBy(d => d.Abi).Select(g => $"{g.Key.Name} {g.Count()}"));
            Console.Out.WriteLine($"{differences.Count} differences ({counts})");
            return ExitCodes.Negative;
        });
        return command;
    }

    private static void Write(ProgramDiff.Difference d)
    {
        var nr = d.Name is null ? "" : $" ({d.First.ToString(CultureInfo.InvariantCulture)})";
        if (d.Args is null)
        {
            Console.Out.WriteLine($"  {d.What}{nr}: A {d.ADescription} | B {d.BDescription}");
            return;
        }
        var call = string.Join(", ", d.Args.Select(Policy.Explainer.Format));
        Console.Out.WriteLine($"  {d.What}{nr}: differs on {d.Vectors} argument vector(s) tried, e.g. ({call}): A {d.A} | B {d.B}");
        Console.Out.WriteLine($"    A: {d.ADescription}");
        Console.Out.WriteLine($"    B: {d.BDescription}");
    }
}
