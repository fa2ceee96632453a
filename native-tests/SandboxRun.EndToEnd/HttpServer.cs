using System.Net;
using System.Net.Sockets;
using CliWrap;
using CliWrap.Buffered;

namespace SandboxRun.EndToEnd;

/// <summary>
/// <c>python3 -m http.server</c> on 127.0.0.1 and a free port, serving one directory,
/// outside any filter; killed on dispose.
/// </summary>
internal sealed class HttpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CommandTask<BufferedCommandResult> _server;

    private HttpServer(int port, CancellationTokenSource stop, CommandTask<BufferedCommandResult> server)
    {
        Port = port;
        _stop = stop;
        _server = server;
    }

    internal int Port { get; }

    internal static async Task<HttpServer> StartAsync(string python, string directory)
    {
        var port = RealPrograms.FreePort();
        var stop = new CancellationTokenSource(Sandboxrun.Timeout * 2);
        var server = Cli.Wrap(python)
            .WithArguments(["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", directory])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(stop.Token);
        var started = new HttpServer(port, stop, server);

        // Ready when it accepts a connection; dead if it exited first (the port was taken).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (server.Task.IsCompleted)
            {
                var result = await server;
                await started.DisposeAsync();
                Assert.Fail(Launch.Describe($"http.server exited {result.ExitCode} before it served", result));
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return started;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _server;
        }
        catch (OperationCanceledException)
        {
            // CliWrap killed it, which is how it is stopped.
        }
        _stop.Dispose();
    }
}
