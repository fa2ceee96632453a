namespace SandboxRun.Lint;

internal enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>One lint finding: how bad, which check, where in the JSON, what, and how to fix it.</summary>
internal sealed record Finding(Severity Severity, string Code, string Path, string Message, string? Fix = null)
{
    internal string SeverityName => Severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };
}
