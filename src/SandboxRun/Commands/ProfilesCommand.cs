using System.CommandLine;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Commands;

/// <summary><c>sandboxrun profiles</c>: the profiles built into the binary.</summary>
internal static class ProfilesCommand
{
    internal static Command Create()
    {
        var command = new Command("profiles", "List the built-in profiles");
        command.SetAction(_ =>
        {
            foreach (var name in ProfileSource.BuiltInNames)
            {
                var profile = ProfileReader.Read(name, ProfileSource.BuiltInBytes(name)!);
                Console.Out.WriteLine($"{name,-20} default {profile.DefaultAction}, {profile.Syscalls.Count} rules");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
