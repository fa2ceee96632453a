using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SandboxRun.Arch;

namespace SandboxRun.Recording;

/// <summary>
/// Writes a Docker-format profile that allows a set of syscall names: <c>record</c>'s output
/// (and <c>generate --from-strace</c>'s). Without a base: default SCMP_ACT_ERRNO (EPERM), the
/// main ABI of the machine plus every compat ABI that has names, one ALLOW rule with the
/// names of all ABIs, sorted (a name a given ABI lacks is skipped there, as Docker does).
/// With a base: a copy of the base's JSON with one more ALLOW rule for the names, and the
/// compat ABIs added to its architectures/archMap.
/// </summary>
internal static class ProfileWriter
{
    /// <param name="names">Names per ABI, keyed by sandboxrun or SCMP_ARCH name (x86_64, x32, SCMP_ARCH_X86, ...).</param>
    /// <param name="comment">How and when it was made; the profile's (or the added rule's) comment.</param>
    /// <param name="baseJson">The base profile's bytes, or null for a new profile.</param>
    internal static string Write(IReadOnlyDictionary<string, IReadOnlyCollection<string>> names, string comment, byte[]? baseJson)
    {
        var abis = names.Keys
            .Select(k => Arch.Arch.Find(k) ?? throw new ArgumentException($"unknown ABI {k}", nameof(names)))
            .ToList();
        var target = TargetArch.All.FirstOrDefault(t => abis.Count > 0 && abis.All(t.Owns)) ?? TargetArch.Native;
        var used = target.AllArches.Where(a => a == target.Main || abis.Contains(a)).ToList();
        var all = names.Values.SelectMany(v => v).Distinct().Order(StringComparer.Ordinal).ToList();
        return baseJson is null ? Fresh(used, all, comment) : Merged(baseJson, target, used, all, comment);
    }

    private static string Fresh(List<Arch.Arch> arches, List<string> names, string comment)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("comment", comment);
            json.WriteString("defaultAction", "SCMP_ACT_ERRNO");
            json.WriteNumber("defaultErrnoRet", 1);
            json.WriteStartArray("architectures");
            foreach (var a in arches)
            {
                json.WriteStringValue(a.ScmpName);
            }
            json.WriteEndArray();
            json.WriteStartArray("syscalls");
            json.WriteStartObject();
            WriteNames(json, names);
            json.WriteString("action", "SCMP_ACT_ALLOW");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNames(Utf8JsonWriter json, List<string> names)
    {
        json.WriteStartArray("names");
        foreach (var n in names)
        {
            json.WriteStringValue(n);
        }
        json.WriteEndArray();
    }

    private static string Merged(byte[] baseJson, TargetArch target, List<Arch.Arch> arches, List<string> names, string comment)
    {
        var root = JsonNode.Parse(baseJson)?.AsObject() ?? throw new ArgumentException("the base profile is not a JSON object", nameof(baseJson));
        var compat = arches.Where(a => a != target.Main).ToList();
        if (compat.Count > 0)
        {
            AddArches(root, target, compat);
        }
        if (names.Count > 0)
        {
            var syscalls = root["syscalls"] as JsonArray;
            if (syscalls is null)
            {
                root["syscalls"] = syscalls = [];
            }
            syscalls.Add((JsonNode)new JsonObject
            {
                ["names"] = new JsonArray([.. names.Select(n => (JsonNode)JsonValue.Create(n))]),
                ["action"] = "SCMP_ACT_ALLOW",
                ["comment"] = comment,
            });
        }
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            root.WriteTo(json);
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Compat ABIs into <c>archMap</c> (the entry of the main ABI) or <c>architectures</c>.</summary>
    private static void AddArches(JsonObject root, TargetArch target, List<Arch.Arch> compat)
    {
        if (root["archMap"] is JsonArray map)
        {
            foreach (var entry in map.OfType<JsonObject>())
            {
                if (entry["architecture"]?.GetValue<string>() == target.Main.ScmpName)
                {
                    var subs = entry["subArchitectures"] as JsonArray ?? [];
                    entry["subArchitectures"] = subs;
                    foreach (var a in compat.Where(a => !subs.Any(s => s?.GetValue<string>() == a.ScmpName)))
                    {
                        subs.Add((JsonNode)JsonValue.Create(a.ScmpName));
                    }
                }
            }
            return;
        }
        var list = root["architectures"] as JsonArray ?? new JsonArray((JsonNode)JsonValue.Create(target.Main.ScmpName));
        root["architectures"] = list;
        foreach (var a in compat.Where(a => !list.Any(s => s?.GetValue<string>() == a.ScmpName)))
        {
            list.Add((JsonNode)JsonValue.Create(a.ScmpName));
        }
    }
}
