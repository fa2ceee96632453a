namespace SandboxRun.EndToEnd;

/// <summary>
/// The specs that start the launcher and real programs run one at a time: xUnit 2 enforces
/// <c>Timeout</c> only outside parallel collections, and a spec that counts open fds or
/// serves HTTP on a free port should not race another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialProcesses
{
    internal const string Name = "Processes under sandboxrun";

    /// <summary>Each spec of the collection is failed after this long (ms); every process it starts is killed after <see cref="Sandboxrun.Timeout"/>.</summary>
    internal const int Timeout = 120_000;
}
