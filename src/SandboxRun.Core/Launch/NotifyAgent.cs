using System.Text;
using System.Text.Json;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using static SandboxRun.Interop.Interop;

namespace SandboxRun.Launch;

/// <summary>
/// The hand-off of a listener to a seccomp agent, for profiles with SCMP_ACT_NOTIFY rules:
/// the layer that gets the listener, a unix socket already connected to the agent
/// (close-on-exec), and the one message sent with the fd, the OCI ContainerProcessState.
/// </summary>
internal sealed record AgentHandoff(int Layer, int Socket, byte[] Message);

/// <summary>
/// What runc does for <c>listenerPath</c>: connect to the agent's unix socket and send one
/// OCI <c>ContainerProcessState</c> JSON (<c>fds: ["seccompFd"]</c>, the pid, the profile's
/// <c>listenerMetadata</c>, the state) with the listener fd as SCM_RIGHTS, so existing agents
/// work. The socket is connected before the filter; under it the launcher makes only the
/// later layers' seccomp(), one sendmsg() and execve() (sandboxrun_launch.c). A notified
/// call before the agent holds the fd would never return, so, like runc (which refuses
/// NOTIFY for write(2) and as the default action), sandboxrun refuses NOTIFY for those calls.
/// </summary>
internal static unsafe class NotifyAgent
{
    internal static bool Notifies(FilterPolicy policy)
    {
        if (policy.DefaultAction.Kind == ActionKind.Notify)
        {
            return true;
        }
        // Loops over indexes: every launch asks this of every rule of every syscall.
        foreach (var arch in policy.Arches)
        {
            var syscalls = arch.Syscalls;
            for (var s = 0; s < syscalls.Count; s++)
            {
                var rules = syscalls[s].Rules;
                for (var r = 0; r < rules.Count; r++)
                {
                    if (rules[r].Action.Kind == ActionKind.Notify)
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>The hand-off for these layers, or null when no layer notifies.</summary>
    internal static AgentHandoff? For(IReadOnlyList<FilterPolicy> policies, string? listenerPathOption)
    {
        var layers = new List<int>();
        for (var i = 0; i < policies.Count; i++)
        {
            if (Notifies(policies[i]))
            {
                layers.Add(i);
            }
        }
        if (layers.Count == 0)
        {
            return null;
        }
        if (layers.Count > 1)
        {
            throw new RunFailedException($"{policies[layers[1]].Profile.Source}: SCMP_ACT_NOTIFY in two profiles; a process can hand only one listener to an agent");
        }
        var layer = layers[0];
        var policy = policies[layer];
        var source = policy.Profile.Source;
        // ProfileReader already refuses NOTIFY as the default action and for write, as runc does.
        var mustRun = layer == policies.Count - 1 ? new[] { "sendmsg" } : ["sendmsg", "seccomp"];
        foreach (var name in mustRun)
        {
            var rule = policy.Arches.SelectMany(a => a.Syscalls).Where(s => s.Name == name).SelectMany(s => s.Rules).FirstOrDefault(r => r.Action.Kind == ActionKind.Notify);
            if (rule is not null)
            {
                throw new RunFailedException($"{source}: {rule.Origin.Rule.Path}: SCMP_ACT_NOTIFY cannot be used for {name}: the launcher makes that call before the agent holds the listener");
            }
        }
        var path = listenerPathOption ?? policy.Profile.ListenerPath;
        if (string.IsNullOrEmpty(path))
        {
            throw new RunFailedException($"{source}: SCMP_ACT_NOTIFY needs a seccomp agent: the profile has no listenerPath (or give --listener-path)");
        }
        var socket = Connect(path);
        return new AgentHandoff(layer, socket, State(Libc.GetPid(), policy.Profile.ListenerMetadata ?? ""));
    }

    private static int Connect(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= 108)
        {
            throw new RunFailedException($"listenerPath {path}: longer than a unix socket path can be (107 bytes)");
        }
        var fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        ThrowIfFailed(fd, "socket(AF_UNIX)");
        // struct sockaddr_un: sa_family_t (2 bytes) and a 108-byte path.
        var address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        address[0] = Libc.AF_UNIX;
        bytes.CopyTo(new Span<byte>(address + 2, 108));
        if (Libc.Connect(fd, address, 110) != 0)
        {
            var errno = new Interop.Errno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            _ = Libc.Close(fd);
            throw new RunFailedException($"listenerPath {path}: cannot connect to the seccomp agent: {errno}");
        }
        return fd;
    }

    /// <summary>
    /// The OCI runtime-spec ContainerProcessState (specs-go/state.go): the fds sent with it by
    /// name, the pid of the process the listener watches, the metadata, the container state.
    /// </summary>
    internal static byte[] State(int pid, string metadata)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("ociVersion", "1.0.2");
            json.WriteStartArray("fds");
            json.WriteStringValue("seccompFd");
            json.WriteEndArray();
            json.WriteNumber("pid", pid);
            json.WriteString("metadata", metadata);
            json.WriteStartObject("state");
            json.WriteString("ociVersion", "1.0.2");
            json.WriteString("id", $"sandboxrun-{pid}");
            json.WriteString("status", "creating");
            json.WriteNumber("pid", pid);
            json.WriteString("bundle", Environment.CurrentDirectory);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }
}
