using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Derive;

/// <summary>What <c>derive</c> is asked to change: names to drop, to allow, to deny with an errno.</summary>
internal sealed record DeriveRequest(IReadOnlyList<string> Remove, IReadOnlyList<string> Allow, IReadOnlyList<(string Name, ushort Errno)> Deny);

/// <summary>
/// A new profile from an existing one, edited as JSON so that everything else stays as it
/// was written (field order, <c>name</c> or <c>names</c>, comments, includes/excludes,
/// numbers, indentation). Every name asked for is first taken out of every rule (a rule
/// left without names goes); then <c>--allow</c> and <c>--deny</c> add one unconditional
/// rule per action at the end. libseccomp lets an unconditional rule win over conditional
/// ones, and no earlier rule names the syscall any more, so the new rule decides every
/// call of it, whatever the caps. A rule whose action is the default action is not added:
/// runc would drop it, and the syscall reaches the default anyway. The result is a plain
/// Docker-format profile: the reader reads it back before it is written.
/// </summary>
internal static class ProfileDeriver
{
    /// <summary>The new profile's bytes, and notes about what did not need changing.</summary>
    internal static (byte[] Bytes, IReadOnlyList<string> Notes) Derive(string source, ReadOnlyMemory<byte> utf8, DeriveRequest request)
    {
        var profile = ProfileReader.Read(source, utf8);
        var notes = CheckNames(request, profile);
        var root = JsonNode.Parse(utf8.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 10000 })!.AsObject();

        var asked = request.Remove.Concat(request.Allow).Concat(request.Deny.Select(d => d.Name)).ToHashSet(StringComparer.Ordinal);
        if (Field(root, "syscalls") is JsonArray rules)
        {
            for (var i = rules.Count - 1; i >= 0; i--)
            {
                if (rules[i] is JsonObject rule && TakeOut(rule, asked))
                {
                    rules.RemoveAt(i);
                }
            }
        }
        else
        {
            root["syscalls"] = new JsonArray();
        }
        var syscalls = (JsonArray)Field(root, "syscalls")!;

        if (request.Allow.Count > 0 && profile.DefaultAction != SeccompAction.Allow)
        {
            syscalls.Add((JsonNode)NewRule(request.Allow, "SCMP_ACT_ALLOW", null, "allowed by sandboxrun derive --allow"));
        }
        foreach (var group in request.Deny.GroupBy(d => d.Errno).OrderBy(g => g.Key))
        {
            if (profile.DefaultAction != SeccompAction.Errno(group.Key))
            {
                syscalls.Add((JsonNode)NewRule(group.Select(d => d.Name).ToList(), "SCMP_ACT_ERRNO", group.Key, $"denied with {ErrnoNames.Describe(group.Key)} by sandboxrun derive --deny"));
            }
        }

        var bytes = Write(root, utf8.Span);
        // The output must be a profile Docker reads: a failure here is a bug of derive.
        ProfileReader.Read("derived profile", bytes);
        return (bytes, notes);
    }

    /// <summary>
    /// Every name must be a syscall somewhere, and be asked for once. A name to remove that the
    /// profile does not name is a note, not an error: removing it changes nothing (Docker's
    /// current default no longer names io_uring_setup, the blog example of removing it).
    /// </summary>
    private static List<string> CheckNames(DeriveRequest request, Profile profile)
    {
        var named = profile.Syscalls.SelectMany(r => r.Names).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        var notes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (option, name) in request.Remove.Select(n => ("--remove", n))
                     .Concat(request.Allow.Select(n => ("--allow", n)))
                     .Concat(request.Deny.Select(d => ("--deny", d.Name))))
        {
            if (!Arch.Arch.KnownAnywhere(name))
            {
                problems.Add($"{option}: \"{name}\" is not a syscall on any arch{DidYouMean.Hint(name, Arch.Arch.All.SelectMany(a => a.Table.Select(e => e.Name)).Distinct())}");
            }
            else if (option == "--remove" && !named.Contains(name))
            {
                notes.Add($"--remove: {profile.Source} names no \"{name}\" (it gets the default action already), so there is nothing to remove");
            }
            if (!seen.Add(name))
            {
                problems.Add($"{option}: \"{name}\" is asked for twice");
            }
        }
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join('\n', problems.Select(p => "derive " + p)));
        }
        return notes;
    }

    /// <summary>Takes the names out of a rule; true when the rule named only such names and must go.</summary>
    private static bool TakeOut(JsonObject rule, HashSet<string> asked)
    {
        var hadNames = false;
        var left = 0;
        if (Key(rule, "names") is { } namesKey && rule[namesKey] is JsonArray names)
        {
            hadNames |= names.Count > 0;
            for (var i = names.Count - 1; i >= 0; i--)
            {
                if (names[i] is JsonValue v && v.TryGetValue<string>(out var n) && asked.Contains(n))
                {
                    names.RemoveAt(i);
                }
            }
            left += names.Count;
        }
        if (Key(rule, "name") is { } nameKey && rule[nameKey] is JsonValue single && single.TryGetValue<string>(out var one) && one.Length > 0)
        {
            hadNames = true;
            if (asked.Contains(one))
            {
                rule.Remove(nameKey);
            }
            else
            {
                left++;
            }
        }
        return hadNames && left == 0;
    }

    private static JsonObject NewRule(IReadOnlyList<string> names, string action, ushort? errno, string comment)
    {
        var rule = new JsonObject { ["names"] = new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()), ["action"] = action };
        if (errno is { } e)
        {
            rule["errnoRet"] = e;
        }
        rule["comment"] = comment;
        return rule;
    }

    /// <summary>The key of a field as written: Docker matches keys case-insensitively.</summary>
    private static string? Key(JsonObject obj, string field) =>
        obj.Select(p => p.Key).FirstOrDefault(k => k == field) ?? obj.Select(p => p.Key).FirstOrDefault(k => k.Equals(field, StringComparison.OrdinalIgnoreCase));

    private static JsonNode? Field(JsonObject obj, string field) => Key(obj, field) is { } k ? obj[k] : null;

    /// <summary>Indented as the input is: by tabs, or by the width of its first indented line.</summary>
    private static byte[] Write(JsonObject root, ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        var (indentChar, indentSize) = (' ', 2);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0 && newline + 1 < text.Length)
        {
            var line = text.AsSpan(newline + 1);
            var width = line.IndexOfAnyExcept(' ', '\t');
            if (width > 0)
            {
                (indentChar, indentSize) = line[0] == '\t' ? ('\t', 1) : (' ', Math.Min(width, 127));
            }
        }
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentCharacter = indentChar, IndentSize = indentSize, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            root.WriteTo(writer);
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary><c>NAME[,NAME...][:ERRNO]</c>: ERRNO a name (EACCES) or a number 0–4094; EPERM when absent.</summary>
    internal static IEnumerable<(string Name, ushort Errno)> ParseDeny(string value)
    {
        var colon = value.LastIndexOf(':');
        var errno = SeccompAction.EPERM;
        var names = value;
        if (colon >= 0)
        {
            var text = value[(colon + 1)..];
            names = value[..colon];
            if (!ErrnoNames.TryParse(text, out errno)
                && !(ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out errno) && errno < ErrnoNames.MaxErrno))
            {
                throw new UsageException($"--deny {value}: \"{text}\" is not an errno name (EPERM, EACCES, ENOSYS, ...) or a number below {ErrnoNames.MaxErrno}{DidYouMean.Hint(text, ErrnoNames.All)}");
            }
        }
        return SplitNames(names).Select(n => (n, errno));
    }

    internal static IEnumerable<string> SplitNames(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
