using System.CommandLine;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Errors;
using SandboxRun.Launch;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Recording;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun [run] [--profile P]... -- COMMAND [ARG]...</c>: COMMAND runs in place of
/// sandboxrun (same PID) under the filters of the profiles, stacked in order;
/// <c>docker-default</c> when no profile is given.
/// </summary>
internal static class RunCommand
{
    internal const string DefaultProfile = "docker-default";

    internal static Command Create()
    {
        var command = new Command("run", "Run COMMAND under the profile(s): sandboxrun run [--profile P]... -- COMMAND [ARG]...");
        Configure(command);
        return command;
    }

    internal static void Configure(Command command)
    {
        var policy = new PolicyOptions();
        var target = new Argument<string[]>("COMMAND")
        {
            Description = "The program and its arguments (after --)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var watch = new WatchOptions();
        policy.AddTo(command);
        watch.AddTo(command);
        command.Arguments.Add(target);
        command.SetAction(result =>
        {
            var argv = result.GetValue(target) ?? [];
            if (argv.Length == 0)
            {
                throw new UsageException("missing COMMAND: sandboxrun [run] [--profile P]... -- COMMAND [ARG]...");
            }
            return Run(policy.Read(result), argv, watch.Read(result));
        });
    }

    /// <summary>
    /// Runs COMMAND: in place (returns only by throwing), or watched by a supervisor
    /// (--report, --complain), which returns the target's exit status.
    /// </summary>
    internal static int Run(PolicyArgs args, string[] argv, WatchArgs? watch = null)
    {
        // Everything that can fail in sandboxrun fails with 125, as `docker run` does.
        IReadOnlyList<FilterPolicy> policies;
        try
        {
            IReadOnlyList<string> names = args.Profiles.Count > 0 ? args.Profiles : [DefaultProfile];
            if (args.Arch is { } arch && args.Target() != TargetArch.Native)
            {
                throw new UsageException($"--arch {arch}: run builds for this machine ({TargetArch.Native}) only");
            }
            policies = args.LoadAll(names, TargetArch.Native);
        }
        catch (SandboxRunException e) when (e.ExitCode == ExitCodes.Usage)
        {
            throw new RunFailedException(e.Message);
        }

        if (watch is { Mode: not WatchMode.None })
        {
            return Watch(policies, argv, watch);
        }
        var filters = new List<InstallableFilter>();
        foreach (var policy in policies)
        {
            RefuseWhatCannotRun(policy);
            try
            {
                filters.Add(new InstallableFilter(SeccompCompiler.Compile(policy), FlagsOf(policy.Profile), policy.Profile.Source));
            }
            catch (PolicyException e)
            {
                throw new RunFailedException(e.Message);
            }
        }

        var agent = NotifyAgent.For(policies, watch?.ListenerPath);
        Launcher.Exec(Request(filters, argv), agent);
        return ExitCodes.RunFailed; // Exec returns only by throwing
    }

    /// <summary>The launch of COMMAND (found through PATH) with the caller's environment, as env(1) passes it.</summary>
    internal static LaunchRequest Request(IReadOnlyList<InstallableFilter> filters, string[] argv) =>
        new(filters, CommandResolver.Resolve(argv[0]), argv);

    /// <summary>
    /// --report / --complain: one profile, compiled with its denials turned into
    /// notifications (<see cref="WatchFilter"/>), under a supervisor that prints them.
    /// </summary>
    private static int Watch(IReadOnlyList<FilterPolicy> policies, string[] argv, WatchArgs watch)
    {
        var option = watch.Mode == WatchMode.Complain ? "--complain" : "--report";
        if (policies.Count != 1)
        {
            throw new RunFailedException($"{option} watches one profile; it was given {policies.Count} (the kernel lets one filter of a process have a listener)");
        }
        var policy = policies[0];
        RefuseWhatCannotRun(policy, allowNotify: false, option);
        BpfProgram program;
        try
        {
            program = WatchFilter.NotifyDenials(SeccompCompiler.Compile(policy), watch.Mode == WatchMode.Complain);
        }
        catch (PolicyException e)
        {
            throw new RunFailedException(e.Message);
        }
        if (watch.Mode == WatchMode.Complain)
        {
            Console.Error.WriteLine("sandboxrun: --complain: denied calls are allowed and reported; this is not a security boundary");
        }
        var request = Request([new InstallableFilter(program, FlagsOf(policy.Profile), policy.Profile.Source)], argv);
        return Supervisor.Run(request, 0, _ => new DenialReporter(policy, watch.Mode == WatchMode.Complain, watch.Summary, Console.Error));
    }

    /// <summary>
    /// The profile's <c>flags</c> as seccomp(2) flags. LOG and SPEC_ALLOW are passed on; TSYNC
    /// is not needed (the filter binds the one thread that execs, the others end at execve),
    /// as runc also leaves it to libseccomp. No flags given: none, as runc.
    /// </summary>
    private static uint FlagsOf(Profile profile) =>
        profile.Flags.Aggregate(0u, (flags, f) => f switch
        {
            "SECCOMP_FILTER_FLAG_LOG" => flags | Interop.Interop.Libc.SECCOMP_FILTER_FLAG_LOG,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => flags | Interop.Interop.Libc.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
            _ => flags,
        });

    /// <summary>
    /// Profiles that would leave the command unable to start: one that denies execve itself
    /// (asked of the model, as check would), and NOTIFY rules where no seccomp agent can take
    /// the listener (see <see cref="NotifyAgent"/>).
    /// </summary>
    private static void RefuseWhatCannotRun(FilterPolicy policy, bool allowNotify = true, string option = "")
    {
        var abi = policy.Target.Main;
        abi.TryGetNumber("execve", out var execve);
        var decision = PolicyEvaluator.Decide(policy, SeccompData.Of(abi.AuditArch, execve));
        if (!decision.Action.Permits)
        {
            var why = Explainer.Explain(policy, new SyscallQuery("execve", abi, execve, "execve", new ulong[6], 0)).Why is { Count: > 0 } lines ? lines[0] : "";
            throw new RunFailedException($"{policy.Profile.Source}: the profile denies execve ({decision.Action}: {why}), so no command can start under it");
        }
        if (!allowNotify && NotifyAgent.Notifies(policy))
        {
            throw new RunFailedException($"{policy.Profile.Source}: SCMP_ACT_NOTIFY rules hand the listener to a seccomp agent; {option} needs it for itself");
        }
    }
}
