namespace SandboxRun.Commands;

/// <summary>
/// The launcher's own command line, read without building System.CommandLine's model: the
/// common `sandboxrun [run] [options] -- COMMAND` is what a systemd unit or a script runs at
/// every start, and the model costs milliseconds. Anything it does not recognise exactly
/// (help, other commands, a repeated single-valued option, a missing value, no `--`) goes to
/// System.CommandLine, which parses it the same way or reports the error.
/// </summary>
internal static class RunFastPath
{
    internal static bool TryParse(string[] args, out PolicyArgs options, out string[] command)
    {
        options = null!;
        command = [];
        var profiles = new List<string>();
        var capAdd = new List<string>();
        var capDrop = new List<string>();
        string? arch = null, caps = null, kernel = null, enosys = null;
        var quiet = false;
        var i = args.Length > 0 && args[0] == "run" ? 1 : 0;
        for (; i < args.Length; i++)
        {
            var token = args[i];
            if (token == "--")
            {
                command = args[(i + 1)..];
                options = new PolicyArgs(profiles, arch, caps ?? "docker", capAdd, capDrop, kernel, enosys ?? "runc", quiet);
                return command.Length > 0;
            }
            if (token is "-q" or "--quiet")
            {
                quiet = true;
                continue;
            }
            var (name, value) = Split(token, args, ref i);
            if (value is null)
            {
                return false;
            }
            switch (name)
            {
                case "--profile" or "-p":
                    profiles.Add(value);
                    break;
                case "--cap-add":
                    capAdd.Add(value);
                    break;
                case "--cap-drop":
                    capDrop.Add(value);
                    break;
                case "--arch" when arch is null:
                    arch = value;
                    break;
                case "--caps" when caps is null:
                    caps = value;
                    break;
                case "--kernel" when kernel is null:
                    kernel = value;
                    break;
                case "--enosys" when enosys is null:
                    enosys = value;
                    break;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary><c>--name value</c> or <c>--name=value</c>; a null value when there is none.</summary>
    private static (string Name, string? Value) Split(string token, string[] args, ref int i)
    {
        var eq = token.IndexOf('=', StringComparison.Ordinal);
        if (token.StartsWith("--", StringComparison.Ordinal) && eq > 2)
        {
            return (token[..eq], token[(eq + 1)..]);
        }
        if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
        {
            i++;
            return (token, args[i]);
        }
        return (token, null);
    }
}
