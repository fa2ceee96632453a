namespace SandboxRun.Tests.Support;

/// <summary>
/// Tests that redirect <see cref="Console.Error"/> or <see cref="Console.Out"/> run alone:
/// the console is process-wide, and a parallel test writing to it would mix its output in.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleTests
{
    internal const string Name = "Redirects the console";
}
