using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Export;

/// <summary>
/// Profile × machine × caps × kernel → the OCI runtime-spec <c>linux.seccomp</c> object,
/// as moby hands it to runc: the arches of this machine's archMap entry (or of the flat
/// list), the rules that <c>includes/excludes</c> keep, without those fields, each rule
/// with its names, action, errnoRet and args. runc then does the rest (skips rules with
/// the default action, names unknown on an arch, adds its ENOSYS stub) exactly as it does
/// for the original, so the object compiles to the same decisions. The same object is the
/// <c>spec</c> of a Security Profiles Operator SeccompProfile and a kubelet localhost profile.
/// </summary>
internal static class OciExporter
{
    /// <summary>Largest value a SeccompProfile can hold: the CRD's integers are int64.</summary>
    private const ulong CrdMax = long.MaxValue;

    internal static JsonObject Build(Profile profile, TargetArch target, ResolveOptions options)
    {
        var seccomp = new JsonObject { ["defaultAction"] = ActionName(profile.DefaultAction) };
        if (profile.DefaultAction.Kind is ActionKind.Errno or ActionKind.Trace)
        {
            seccomp["defaultErrnoRet"] = profile.DefaultAction.Data;
        }
        var arches = PolicyResolver.ListedArches(profile, target);
        if (arches.Count > 0)
        {
            seccomp["architectures"] = Strings(arches.Select(a => a.ScmpName));
        }
        if (profile.Flags.Count > 0)
        {
            seccomp["flags"] = Strings(profile.Flags);
        }
        if (profile.ListenerPath is { } listener)
        {
            seccomp["listenerPath"] = listener;
        }
        if (profile.ListenerMetadata is { } metadata)
        {
            seccomp["listenerMetadata"] = metadata;
        }
        var syscalls = new JsonArray();
        foreach (var rule in profile.Syscalls)
        {
            if (rule.Names.Count == 0 || PolicyResolver.ExclusionReason(rule, target, options) is not null)
            {
                continue;
            }
            var entry = new JsonObject { ["names"] = Strings(rule.Names), ["action"] = ActionName(rule.Action) };
            if (rule.Action.Kind is ActionKind.Errno || (rule.Action.Kind is ActionKind.Trace && rule.Action.Data != 0))
            {
                entry["errnoRet"] = rule.Action.Data;
            }
            if (rule.Args.Count > 0)
            {
                var args = new JsonArray();
                foreach (var c in rule.Args)
                {
                    var arg = new JsonObject { ["index"] = c.Index, ["value"] = c.Value };
                    if (c.ValueTwo != 0 || c.Op == CompareOp.MaskedEqual)
                    {
                        arg["valueTwo"] = c.ValueTwo;
                    }
                    arg["op"] = CompareOpNames.ToProfileName(c.Op);
                    args.Add((JsonNode)arg);
                }
                entry["args"] = args;
            }
            syscalls.Add((JsonNode)entry);
        }
        seccomp["syscalls"] = syscalls;
        return seccomp;
    }

    internal static byte[] ToJson(JsonObject seccomp)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 2 }))
        {
            seccomp.WriteTo(writer);
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>
    /// A SeccompProfile resource of the Security Profiles Operator and a Pod that uses it, as
    /// two YAML documents. The CRD (api/seccompprofile/v1beta1) differs from the OCI object in
    /// three ways: it has no <c>defaultErrnoRet</c> (so the default errno must be EPERM, which
    /// runc uses when none is given), its <c>errnoRet</c> is a string, and its integers are
    /// int64, so values above 2^63-1 do not fit. What does not fit is refused, with its path.
    /// </summary>
    internal static string ToKubernetesYaml(JsonObject seccomp, Profile profile, string name, string namespaceName, string header)
    {
        var problems = new List<string>();
        foreach (var rule in profile.Syscalls)
        {
            foreach (var (c, i) in rule.Args.Select((c, i) => (c, i)))
            {
                if (c.Value > CrdMax || c.ValueTwo > CrdMax)
                {
                    problems.Add($"{profile.Source}: {rule.Path}.args[{i}]: {Math.Max(c.Value, c.ValueTwo)} is above 2^63-1, which a SeccompProfile (int64 fields) cannot hold; use the localhost JSON profile instead");
                }
            }
        }
        var spec = (JsonObject)seccomp.DeepClone();
        if (spec["defaultErrnoRet"] is { } defaultErrno)
        {
            if (defaultErrno.GetValue<ushort>() != SeccompAction.EPERM || profile.DefaultAction.Kind != ActionKind.Errno)
            {
                problems.Add($"{profile.Source}: defaultErrnoRet: a SeccompProfile has no defaultErrnoRet, so its default action can only return EPERM, not {ErrnoNames.Describe(defaultErrno.GetValue<ushort>())}; use the localhost JSON profile instead");
            }
            spec.Remove("defaultErrnoRet");
        }
        if (problems.Count > 0)
        {
            throw new PolicyException(string.Join('\n', problems));
        }
        foreach (var rule in spec["syscalls"]!.AsArray().OfType<JsonObject>())
        {
            if (rule["errnoRet"] is { } errno)
            {
                rule["errnoRet"] = errno.GetValue<ushort>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        var yaml = new StringBuilder();
        foreach (var line in header.Split('\n'))
        {
            yaml.Append("# ").Append(line).Append('\n');
        }
        yaml.Append("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n");
        yaml.Append("  name: ").Append(name).Append("\n  namespace: ").Append(namespaceName).Append('\n');
        yaml.Append("spec:\n");
        WriteYaml(yaml, spec, 1);
        yaml.Append("---\n");
        yaml.Append("# A Pod that uses it. The operator writes the profile on every node as\n");
        yaml.Append($"# /var/lib/kubelet/seccomp/operator/{namespaceName}/{name}.json. Without the operator, copy the\n");
        yaml.Append($"# JSON profile (sandboxrun export --format oci, or -o {name}.yaml, which writes {name}.json beside it)\n");
        yaml.Append($"# to /var/lib/kubelet/seccomp/profiles/{name}.json on every node and use\n");
        yaml.Append($"# localhostProfile: profiles/{name}.json instead.\n");
        yaml.Append("apiVersion: v1\nkind: Pod\nmetadata:\n");
        yaml.Append("  name: ").Append(name).Append("-example\n  namespace: ").Append(namespaceName).Append('\n');
        yaml.Append("spec:\n  securityContext:\n    seccompProfile:\n      type: Localhost\n");
        yaml.Append($"      localhostProfile: operator/{namespaceName}/{name}.json\n");
        yaml.Append("  containers:\n    - name: app\n      image: registry.example/app:latest\n");
        return yaml.ToString();
    }

    /// <summary>Block-style YAML; every string double-quoted (JSON escapes are YAML escapes), so none reads as a bool or a number.</summary>
    private static void WriteYaml(StringBuilder yaml, JsonNode node, int depth)
    {
        var indent = new string(' ', depth * 2);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    yaml.Append(indent).Append(key).Append(':');
                    if (value is JsonObject or JsonArray)
                    {
                        if (value is JsonArray { Count: 0 })
                        {
                            yaml.Append(" []\n");
                            continue;
                        }
                        yaml.Append('\n');
                        WriteYaml(yaml, value, depth + 1);
                    }
                    else
                    {
                        yaml.Append(' ').Append(Scalar(value!)).Append('\n');
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is JsonObject child)
                    {
                        // "- " then the first field on the same line, the others under it.
                        var sub = new StringBuilder();
                        WriteYaml(sub, child, depth + 1);
                        var text = sub.ToString();
                        yaml.Append(indent).Append("- ").Append(text.AsSpan(indent.Length + 2));
                    }
                    else
                    {
                        yaml.Append(indent).Append("- ").Append(Scalar(item!)).Append('\n');
                    }
                }
                break;
        }
    }

    private static string Scalar(JsonNode value) => value.ToJsonString();

    private static string ActionName(SeccompAction action) => ActionNames.ToProfileName(action.Kind);

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
