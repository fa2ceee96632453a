namespace SandboxRun.EndToEnd;

/// <summary>
/// The shipped profiles do what their comments say, on the real kernel: the Node.js profile
/// runs a Node HTTP server and client, the strict static-server profile runs a static
/// network server and kills it when it asks for AF_ALG.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class ProfilesSpecs : IDisposable
{
    private static readonly string[] NodePaths = ["/usr/bin/node", "/usr/local/bin/node"];

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_a_Node_HTTP_server_and_client_under_the_nodejs_profile()
    {
        // Arrange
        var node = NodePaths.FirstOrDefault(File.Exists);
        Skip.If(node is null, "node is not installed");
        const string Script = """
            const http = require("http");
            const s = http.createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", () => {
              http.get({ host: "127.0.0.1", port: s.address().port }, res => res.on("data", d => { console.log("got " + d); s.close(); }));
            });
            """;

        // Act
        var served = await Launch.RunAsync(["--profile", "nodejs"], [node!, "-e", Script]);
        var spawn = await Launch.RunAsync(["--profile", "nodejs"], [node!, "-e", "try { require('child_process').execSync('true') } catch (e) { console.log(e.code) }"]);

        // Assert: the seed's list has neither fork nor vfork, so child processes are refused.
        Launch.AssertExit(0, served);
        Assert.Equal("got ok\n", served.StandardOutput);
        Launch.AssertExit(0, spawn);
        Assert.Equal("EPERM\n", spawn.StandardOutput);
    }

    [SkippableFact(Timeout = SerialProcesses.Timeout)]
    public async Task I_can_run_a_static_server_under_the_strict_profile_and_see_AF_ALG_killed()
    {
        // Arrange
        Sandboxrun.SkipIfMissing();
        Skip.IfNot(File.Exists("/usr/bin/gcc"), "gcc is missing");
        var server = _temp.File("static-server");
        var gcc = await Launch.ProcessAsync("/usr/bin/gcc", ["-static", "-O2", "-o", server, Path.Combine(Repo.Root, "native-tests", "static-server.c")]);
        Skip.IfNot(gcc.ExitCode == 0, $"gcc -static failed (is libc6-dev's libc.a there?): {gcc.StandardError}");

        // Act
        var served = await Launch.RunAsync(["--profile", "static-network-server"], [server]);
        var alg = await Launch.RunAsync(["--profile", "static-network-server"], [server, "alg"]);

        // Assert
        Launch.AssertExit(0, served);
        Assert.Equal("served ping\n", served.StandardOutput);
        Launch.AssertExit(Probe.KilledBySigsys, alg);
        Assert.Equal("", alg.StandardOutput);
    }
}
