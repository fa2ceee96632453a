using System.CommandLine;
using SandboxRun.Errors;

namespace SandboxRun.Commands;

internal enum WatchMode
{
    None,
    Report,
    Complain,
}

/// <summary>What run's watching options asked for.</summary>
internal sealed record WatchArgs(WatchMode Mode, bool Summary, string? ListenerPath);

/// <summary>
/// run's options for watching (SPEC.md §6): <c>--report[=summary]</c>, <c>--complain[=summary]</c>,
/// and <c>--listener-path</c> (where NOTIFY rules send the listener, instead of the profile's
/// listenerPath).
/// </summary>
internal sealed class WatchOptions
{
    private readonly Option<string?> _report = new("--report")
    {
        Description = "Print every denied call as it happens (--report=summary: a count per call at the end)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _complain = new("--complain")
    {
        Description = "Allow denied calls and report them as \"would deny\" (not a security boundary; =summary as --report)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _listenerPath = new("--listener-path")
    {
        Description = "Unix socket of the seccomp agent for SCMP_ACT_NOTIFY rules (default: the profile's listenerPath)",
    };

    internal void AddTo(Command command)
    {
        command.Options.Add(_report);
        command.Options.Add(_complain);
        command.Options.Add(_listenerPath);
    }

    internal WatchArgs Read(ParseResult result)
    {
        var report = result.GetResult(_report) is not null;
        var complain = result.GetResult(_complain) is not null;
        if (report && complain)
        {
            throw new UsageException("--report and --complain: give one of them");
        }
        var value = report ? result.GetValue(_report) : complain ? result.GetValue(_complain) : null;
        var summary = value switch
        {
            null or "lines" => false,
            "summary" => true,
            _ => throw new UsageException($"--{(report ? "report" : "complain")}={value}: the value is \"summary\" or \"lines\" (use -- before COMMAND)"),
        };
        var mode = report ? WatchMode.Report : complain ? WatchMode.Complain : WatchMode.None;
        return new WatchArgs(mode, summary, result.GetValue(_listenerPath));
    }
}
