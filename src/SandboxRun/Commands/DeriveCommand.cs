using System.CommandLine;
using SandboxRun.Derive;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary>
/// <c>sandboxrun derive --from P [--remove NAMES] [--allow NAMES] [--deny NAMES[:ERRNO]] -o OUT</c>:
/// a new Docker-format profile from an existing one (see <see cref="ProfileDeriver"/>).
/// NAMES are comma-separated; every option may be repeated.
/// </summary>
internal static class DeriveCommand
{
    internal static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The profile to start from: a file or a built-in name", Required = true };
        var remove = new Option<string[]>("--remove") { Description = "Names to take out of every rule (they get what the rest of the profile gives them)" };
        var allow = new Option<string[]>("--allow") { Description = "Names to allow unconditionally" };
        var deny = new Option<string[]>("--deny") { Description = "NAMES[:ERRNO]: names to deny with ERRNO (a name or number; EPERM when absent)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the new profile to FILE instead of standard output" };
        var command = new Command("derive", "Make a new profile from an existing one: remove, allow or deny syscalls") { from, remove, allow, deny, output };
        command.SetAction(result =>
        {
            var request = new DeriveRequest(
                (result.GetValue(remove) ?? []).SelectMany(ProfileDeriver.SplitNames).ToList(),
                (result.GetValue(allow) ?? []).SelectMany(ProfileDeriver.SplitNames).ToList(),
                (result.GetValue(deny) ?? []).SelectMany(ProfileDeriver.ParseDeny).ToList());
            if (request.Remove.Count + request.Allow.Count + request.Deny.Count == 0)
            {
                throw new UsageException("derive: say what to change: --remove, --allow or --deny NAMES");
            }
            var (source, bytes) = ProfileSource.LoadBytes(result.GetValue(from)!);
            var (derived, notes) = ProfileDeriver.Derive(source, bytes, request);
            foreach (var note in notes)
            {
                Console.Error.WriteLine($"sandboxrun: note: derive {note}");
            }
            CompileCommand.Write(result.GetValue(output), derived);
            return ExitCodes.Success;
        });
        return command;
    }
}
