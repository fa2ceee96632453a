using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// bubblewrap as the loader of compiled programs: <c>bwrap --seccomp FD</c> installs a raw
/// <c>struct sock_filter[]</c> as the last step before it execs the command, which is how
/// the raw output of <c>sandboxrun compile</c> meets the kernel before sandboxrun has a
/// launcher of its own.
/// </summary>
internal static class Bubblewrap
{
    private static readonly Lazy<string?> LazyPath = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "bwrap"))
            .FirstOrDefault(File.Exists));

    internal static string? Path => LazyPath.Value;

    /// <summary>
    /// Skips the calling spec, with bwrap's own words, where bwrap is missing or cannot make
    /// its sandbox (as root it needs CAP_SYS_ADMIN for the mount namespace; otherwise it
    /// needs unprivileged user namespaces). The same command with no filter is the control.
    /// </summary>
    internal static async Task SkipIfUnusableAsync()
    {
        Skip.If(Path is null, "bwrap is not installed (apt-get install bubblewrap)");
        var control = await RunAsync(filter: null, "exit 0");
        Skip.If(
            control.ExitCode != 0,
            $"bwrap cannot make its sandbox here (exit {control.ExitCode}): {control.StandardError.Trim()}");
    }

    /// <summary>
    /// Runs <c>/bin/sh -c SCRIPT</c> inside <c>bwrap --dev-bind / /</c>, under the raw filter
    /// file when one is given. bwrap reads the filter from a file descriptor and CliWrap
    /// passes only 0–2, so an outer shell opens fd 9 on the file and execs bwrap.
    /// </summary>
    internal static Task<BufferedCommandResult> RunAsync(string? filter, string script)
    {
        // sh -c LAUNCHER $0=bwrap $1=script $2=filter
        var launcher = filter is null
            ? "exec \"$0\" --dev-bind / / -- /bin/sh -c \"$1\""
            : "exec 9<\"$2\" && exec \"$0\" --dev-bind / / --seccomp 9 -- /bin/sh -c \"$1\"";
        return Sandboxrun.RunProcessAsync("/bin/sh", ["-c", launcher, Path!, script, filter ?? ""]);
    }
}
