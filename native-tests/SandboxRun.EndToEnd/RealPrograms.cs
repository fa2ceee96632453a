using System.Net;
using System.Net.Sockets;

namespace SandboxRun.EndToEnd;

/// <summary>The real programs the specs run: where they are, and a local HTTP server to fetch from.</summary>
internal static class RealPrograms
{
    private static readonly Lazy<Task<string?>> LazyPython3 = new(FindPython3Async);

    /// <summary>
    /// The python3 interpreter itself, not a wrapper in front of it (pyenv puts a bash
    /// script named python3 first on PATH): <c>sys.executable</c> of the one on PATH.
    /// Skips the calling spec when there is none.
    /// </summary>
    internal static async Task<string> Python3Async()
    {
        var python = await LazyPython3.Value;
        Skip.If(python is null, "python3 is not installed here");
        return python!;
    }

    private static async Task<string?> FindPython3Async()
    {
        if (Launch.FindOnPath("python3") is not { } onPath)
        {
            return null;
        }
        var result = await Launch.ProcessAsync(onPath, ["-c", "import sys; print(sys.executable)"]);
        var executable = result.StandardOutput.Trim();
        return result.ExitCode == 0 && File.Exists(executable) ? executable : onPath;
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
