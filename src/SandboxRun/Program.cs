using SandboxRun.Commands;
using SandboxRun.Errors;

namespace SandboxRun;

internal static class Program
{
    /// <summary>
    /// argv → command. The only catch of the program: a <see cref="SandboxRunException"/>
    /// becomes one line per problem on stderr and its exit code. Anything else is a bug and
    /// is left to crash loudly.
    /// </summary>
    private static int Main(string[] args)
    {
        try
        {
            return Cli.Run(args);
        }
        catch (SandboxRunException e)
        {
            foreach (var line in e.Message.Split('\n'))
            {
                Console.Error.WriteLine($"sandboxrun: {line}");
            }
            return e.ExitCode;
        }
    }
}
