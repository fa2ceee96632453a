using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;

namespace SandboxRun.Recording;

/// <summary>
/// Turns the syscalls a program used (per ABI) into a Docker-format profile: a minimal one
/// (default ERRNO(EPERM), the native arch and the compat arches actually used, one ALLOW
/// rule with the names sorted), or a copy of a base profile that also allows them. Every
/// result is read back, resolved and checked: each used name must be allowed on its ABI.
/// </summary>
internal static class ProfileWriter
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The ABIs to list: the native one, then the compat ones that were used.</summary>
    private static List<Arch.Arch> Abis(TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used) =>
        [.. target.AllArches.Where(a => a == target.Main || used.ContainsKey(a))];

    /// <summary>A minimal profile that allows exactly the names used (a name is per profile, not per ABI, in Docker's format).</summary>
    internal static byte[] Minimal(TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used, string comment)
    {
        var names = new SortedSet<string>(used.Values.SelectMany(s => s), StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartObject();
            json.WriteString("comment", comment);
            json.WriteString("defaultAction", "SCMP_ACT_ERRNO");
            json.WriteNumber("defaultErrnoRet", SeccompAction.EPERM);
            json.WriteStartArray("architectures");
            foreach (var abi in Abis(target, used))
            {
                json.WriteStringValue(abi.ScmpName);
            }
            json.WriteEndArray();
            json.WriteStartArray("syscalls");
            json.WriteStartObject();
            json.WriteStartArray("names");
            foreach (var name in names)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteString("action", "SCMP_ACT_ALLOW");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        var bytes = buffer.ToArray();
        Verify(bytes, target, used, ResolveOptions.Default, new SortedSet<string>(StringComparer.Ordinal));
        return bytes;
    }

    /// <summary>
    /// A copy of <paramref name="baseJson"/> (field order and every rule kept) that also
    /// allows what was used: the names the base denies go into one ALLOW rule put first
    /// (libseccomp keeps the first unconditional rule of a syscall), compat arches the base
    /// lacks are listed, and where the base's default allows, the names come out of the rules
    /// that deny them. Names the base allows for some arguments only are left as they are,
    /// with a warning: a log of names cannot say whether the arguments pass.
    /// </summary>
    /// <param name="judged">
    /// True when the caller already knows that the base denies every name it passes, from the
    /// arguments the calls really had (record): the names are then added even where the base
    /// allows them for other arguments.
    /// </param>
    internal static byte[] Merge(Profile baseProfile, ReadOnlyMemory<byte> baseJson, TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used, string comment, ResolveOptions options, List<string> warnings, bool judged = false)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(baseJson.Span)!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ProfileException([$"{baseProfile.Source}: cannot copy this profile ({e.Message.Split('.')[0]}); sandboxrun can read it but not rewrite it"]);
        }

        var policy = PolicyResolver.Resolve(baseProfile, target, options);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var conditional = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (abi, names) in used)
        {
            foreach (var name in names)
            {
                switch (judged ? Permission.None : Judge(policy, abi, name))
                {
                    case Permission.None:
                        missing.Add(name);
                        break;
                    case Permission.Some:
                        conditional.Add(name);
                        break;
                }
            }
        }
        if (conditional.Count > 0)
        {
            warnings.Add($"{baseProfile.Source} allows {string.Join(", ", conditional)} only for some arguments; kept as it is (a list of names cannot tell whether this program's arguments pass: run it with --report to see)");
        }

        AddArches(root, baseProfile, target, used);
        var syscalls = Field(root, "syscalls") as JsonArray;
        if (syscalls is null)
        {
            root["syscalls"] = syscalls = [];
        }
        if (missing.Count > 0 && !baseProfile.DefaultAction.IsPermissiveDefault)
        {
            syscalls.Insert(0, new JsonObject
            {
                ["names"] = new JsonArray([.. missing.Select(n => (JsonNode)JsonValue.Create(n))]),
                ["action"] = "SCMP_ACT_ALLOW",
                ["comment"] = comment,
            });
        }
        var bytes = Serialize(root, comment, baseProfile.Source);

        // Where an explicit rule still denies a name (a permissive default, or a rule that
        // comes first with another action): take the name out of that rule.
        var still = StillDenied(bytes, target, used, options, conditional);
        if (still.Count > 0)
        {
            RemoveFromDenyingRules(syscalls, still, warnings);
            bytes = Serialize(root, comment, baseProfile.Source);
        }
        Verify(bytes, target, used, options, conditional);
        return bytes;
    }

    /// <summary>How much of a used name a profile allows; a name the ABI lacks needs nothing.</summary>
    private static Permission Judge(FilterPolicy policy, Arch.Arch abi, string name) =>
        abi.TryGetNumber(name, out var nr) ? PolicyEvaluator.Permits(policy, abi.AuditArch, nr) : Permission.All;

    private static SortedSet<string> StillDenied(byte[] json, TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used, ResolveOptions options, IReadOnlySet<string> conditional)
    {
        var policy = PolicyResolver.Resolve(ProfileReader.Read("the merged profile", json), target, options);
        var denied = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (abi, names) in used)
        {
            foreach (var name in names)
            {
                var verdict = Judge(policy, abi, name);
                if (verdict == Permission.None || (verdict == Permission.Some && !conditional.Contains(name)))
                {
                    denied.Add(name);
                }
            }
        }
        return denied;
    }

    private static void Verify(byte[] json, TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used, ResolveOptions options, IReadOnlySet<string> conditional)
    {
        var denied = StillDenied(json, target, used, options, conditional);
        if (denied.Count > 0)
        {
            throw new PolicyException($"the written profile would still deny {string.Join(", ", denied)}; not written");
        }
    }

    private static void RemoveFromDenyingRules(JsonArray syscalls, SortedSet<string> names, List<string> warnings)
    {
        for (var i = 0; i < syscalls.Count; i++)
        {
            if (syscalls[i] is not JsonObject rule || Field(rule, "action")?.GetValue<string>() is not { } action || action is "SCMP_ACT_ALLOW" or "SCMP_ACT_LOG")
            {
                continue;
            }
            if (Field(rule, "names") is JsonArray list)
            {
                for (var j = list.Count - 1; j >= 0; j--)
                {
                    if (list[j]?.GetValue<string>() is { } n && names.Contains(n))
                    {
                        list.RemoveAt(j);
                        warnings.Add($"syscalls[{i}] ({action}) no longer names {n}: the program used it");
                    }
                }
            }
            else if (Field(rule, "name")?.GetValue<string>() is { } single && names.Contains(single))
            {
                syscalls.RemoveAt(i--);
                warnings.Add($"syscalls[{i + 1}] ({action}, {single}) removed: the program used it");
            }
        }
    }

    /// <summary>Lists the compat ABIs the program used where the base does not.</summary>
    private static void AddArches(JsonObject root, Profile baseProfile, TargetArch target, IReadOnlyDictionary<Arch.Arch, SortedSet<string>> used)
    {
        var listed = PolicyResolver.ListedArches(baseProfile, target);
        var lacking = Abis(target, used).Where(a => !listed.Contains(a)).ToList();
        if (lacking.Count == 0)
        {
            return;
        }
        if (Field(root, "archMap") is JsonArray { Count: > 0 } archMap)
        {
            var entry = archMap.OfType<JsonObject>().FirstOrDefault(e => Field(e, "architecture")?.GetValue<string>() == target.Main.ScmpName);
            if (entry is null)
            {
                entry = new JsonObject { ["architecture"] = target.Main.ScmpName, ["subArchitectures"] = new JsonArray() };
                archMap.Add((JsonNode)entry);
                lacking.Remove(target.Main);
            }
            if (Field(entry, "subArchitectures") is not JsonArray subs)
            {
                entry["subArchitectures"] = subs = [];
            }
            foreach (var abi in lacking)
            {
                subs.Add((JsonNode)JsonValue.Create(abi.ScmpName));
            }
            return;
        }
        if (Field(root, "architectures") is not JsonArray arches)
        {
            root["architectures"] = arches = [];
            lacking = Abis(target, used); // no list at all meant the native arch only
        }
        foreach (var abi in lacking)
        {
            arches.Add((JsonNode)JsonValue.Create(abi.ScmpName));
        }
    }

    /// <summary>A field as Go's decoder finds it: the exact name, else a case-insensitive match.</summary>
    private static JsonNode? Field(JsonObject o, string name)
    {
        if (o.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }
        foreach (var (key, value) in o)
        {
            if (GoStrings.FoldEquals(name, key))
            {
                return value;
            }
        }
        return null;
    }

    private static byte[] Serialize(JsonObject root, string comment, string baseSource)
    {
        var text = $"{comment} Based on {baseSource}.";
        var key = root.Select(p => p.Key).FirstOrDefault(k => GoStrings.FoldEquals("comment", k));
        if (key is not null)
        {
            // The base's history first, then what was added to it.
            if (root[key] is JsonValue old && old.TryGetValue<string>(out var was))
            {
                text = was.Contains(comment, StringComparison.Ordinal) ? was : $"{was} Then: {comment} (added to {baseSource})";
            }
            root[key] = text;
        }
        else
        {
            root.Insert(0, "comment", text);
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            root.WriteTo(json);
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
