using System.Globalization;
using System.Text.Json;
using SandboxRun.Errors;

namespace SandboxRun.Profiles;

/// <summary>
/// Reads a Docker-format profile (moby's profiles/seccomp types, the OCI runtime-spec
/// <c>linux.seccomp</c> object, Podman's extra errno names) into a <see cref="Profile"/>.
///
/// Leniency follows Go's encoding/json, which Docker uses: keys match case-insensitively
/// (an exact match wins), a repeated key's last value wins, <c>null</c> means absent, and
/// unknown fields are ignored — but each one is reported as a warning with its JSON path,
/// because a typo in a security file must not pass in silence. Numbers are unsigned 64-bit
/// integers, written without fraction or exponent, as Go's decoder demands.
///
/// Every problem of a profile is collected and thrown together in one
/// <see cref="ProfileException"/>, each as <c>source: json.path: what</c>.
/// </summary>
internal sealed class ProfileReader
{
    private static readonly string[] TopFields =
    [
        "defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "syscalls",
        "flags", "listenerPath", "listenerMetadata", "comment",
    ];

    private static readonly string[] RuleFields =
    [
        "name", "names", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes",
    ];

    private static readonly string[] ArgFields = ["index", "value", "valueTwo", "op"];
    private static readonly string[] FilterFields = ["caps", "arches", "minKernel"];
    private static readonly string[] ArchMapFields = ["architecture", "subArchitectures"];

    /// <summary>The SCMP_ARCH_* names libseccomp 2.5 knows (seccomp-arch.c arch names).</summary>
    internal static readonly string[] KnownScmpArches =
    [
        "SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ];

    /// <summary>The filter flags runc accepts (libcontainer/seccomp/config.go).</summary>
    internal static readonly string[] KnownFlags =
    [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    ];

    private readonly string _source;
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    private ProfileReader(string source) => _source = source;

    /// <summary>Reads a profile file; <paramref name="source"/> names it in messages.</summary>
    internal static Profile ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException([$"{path}: cannot read the profile: {e.Message}"]);
        }
        return Read(path, bytes);
    }

    internal static Profile Read(string source, ReadOnlyMemory<byte> utf8)
    {
        var reader = new ProfileReader(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}"
                : "at the start";
            throw new ProfileException([$"{source}: invalid JSON at {where}: {FirstSentence(e.Message)}"]);
        }
        using (document)
        {
            var profile = reader.ReadProfile(document.RootElement);
            if (reader._errors.Count > 0)
            {
                throw new ProfileException(reader._errors);
            }
            return profile! with { Warnings = reader._warnings };
        }
    }

    // profile = { "defaultAction": ACTION, "defaultErrnoRet": UINT, "defaultErrno": ENAME,
    //             "architectures": [SCMP_ARCH...] | "archMap": [{"architecture", "subArchitectures"}],
    //             "syscalls": [rule...], "flags": [FLAG...], "listenerPath": STR, "listenerMetadata": STR }
    private Profile? ReadProfile(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("", $"a profile is a JSON object, not {Describe(root)}");
            return null;
        }
        string? defaultAction = null, defaultErrnoName = null, listenerPath = null, listenerMetadata = null;
        ulong? defaultErrnoRet = null;
        List<string>? architectures = null, flags = null;
        List<ArchMapEntry>? archMap = null;
        List<SyscallRule>? syscalls = null;
        JsonElement defaultActionElement = default;

        ForEachField(root, "", TopFields, (field, value, path) =>
        {
            switch (field)
            {
                case "defaultAction":
                    defaultAction = String(value, path);
                    defaultActionElement = value;
                    break;
                case "defaultErrnoRet":
                    defaultErrnoRet = Unsigned(value, path);
                    break;
                case "defaultErrno":
                    defaultErrnoName = String(value, path);
                    break;
                case "architectures":
                    architectures = Array(value, path, (e, p) => ArchName(e, p));
                    break;
                case "archMap":
                    archMap = Array(value, path, ReadArchMapEntry);
                    break;
                case "syscalls":
                    syscalls = Array(value, path, ReadRule);
                    break;
                case "flags":
                    flags = Array(value, path, ReadFlag);
                    break;
                case "listenerPath":
                    listenerPath = String(value, path);
                    break;
                case "listenerMetadata":
                    listenerMetadata = String(value, path);
                    break;
            }
        });

        if ((architectures?.Count ?? 0) > 0 && (archMap?.Count ?? 0) > 0)
        {
            // moby profiles/seccomp/seccomp_linux.go refuses the two forms together.
            Error("archMap", "'architectures' and 'archMap' are both given: Docker refuses that, use one of them");
        }

        var action = ResolveAction(defaultAction, defaultErrnoRet, defaultErrnoName, "defaultAction", "defaultErrnoRet", "defaultErrno", required: true);
        if (action is { Kind: ActionKind.Notify })
        {
            Error("defaultAction", "SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the write that hands the listener over would be notified too)");
        }
        _ = defaultActionElement;

        return new Profile(
            _source,
            action ?? SeccompAction.KillThread,
            architectures ?? [],
            archMap ?? [],
            syscalls ?? [],
            flags ?? [],
            listenerPath,
            listenerMetadata);
    }

    // archMap entry = { "architecture": SCMP_ARCH, "subArchitectures": [SCMP_ARCH...] }
    private ArchMapEntry? ReadArchMapEntry(JsonElement element, string path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        string? architecture = null;
        List<string>? subs = null;
        ForEachField(element, path, ArchMapFields, (field, value, p) =>
        {
            if (field == "architecture")
            {
                architecture = ArchName(value, p);
            }
            else
            {
                subs = Array(value, p, (e, pp) => ArchName(e, pp));
            }
        });
        if (architecture is null)
        {
            Error(path, "an archMap entry needs \"architecture\"");
            return null;
        }
        return new ArchMapEntry(architecture, subs ?? []);
    }

    // rule = { "name": STR | "names": [STR...], "action": ACTION, "errnoRet": UINT, "errno": ENAME,
    //          "args": [arg...], "comment": STR, "includes": filter, "excludes": filter }
    private SyscallRule? ReadRule(JsonElement element, string path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        var position = int.Parse(path.AsSpan(path.LastIndexOf('[') + 1).TrimEnd(']'), CultureInfo.InvariantCulture);
        string? name = null, action = null, errnoName = null, comment = null;
        List<string>? names = null;
        List<ArgCondition>? args = null;
        ulong? errnoRet = null;
        RuleFilter includes = RuleFilter.Empty, excludes = RuleFilter.Empty;
        var hasName = false;

        ForEachField(element, path, RuleFields, (field, value, p) =>
        {
            switch (field)
            {
                case "name":
                    name = String(value, p);
                    hasName = name is not null;
                    break;
                case "names":
                    names = Array(value, p, String);
                    break;
                case "action":
                    action = String(value, p);
                    break;
                case "errnoRet":
                    errnoRet = Unsigned(value, p);
                    break;
                case "errno":
                    errnoName = String(value, p);
                    break;
                case "args":
                    args = Array(value, p, ReadArg);
                    break;
                case "comment":
                    comment = String(value, p);
                    break;
                case "includes":
                    includes = ReadFilter(value, p);
                    break;
                case "excludes":
                    excludes = ReadFilter(value, p);
                    break;
            }
        });

        // moby: `name` and `names` together are an error; "" is not a syscall (runc matchCall).
        var allNames = new List<string>();
        if (hasName && names is { Count: > 0 })
        {
            Error(path, "both \"name\" and \"names\" are given: Docker refuses that, use \"names\"");
        }
        if (hasName)
        {
            allNames.Add(name!);
        }
        allNames.AddRange(names ?? []);
        if (allNames.Count == 0)
        {
            Error(path, "the rule names no syscall (give \"names\": [...])");
        }
        for (var i = 0; i < allNames.Count; i++)
        {
            if (allNames[i].Length == 0)
            {
                Error(hasName ? $"{path}.name" : $"{path}.names[{i - (hasName ? 1 : 0)}]", "an empty string is not a syscall name");
            }
        }

        var resolved = ResolveAction(action, errnoRet, errnoName, $"{path}.action", $"{path}.errnoRet", $"{path}.errno", required: true);
        if (resolved is { Kind: ActionKind.Notify } && allNames.Contains("write"))
        {
            Error($"{path}.action", "SCMP_ACT_NOTIFY cannot be used for write (runc refuses it: the listener is handed over with a write)");
        }
        if (args is not null && args.Any(a => a is null))
        {
            return null;
        }
        return resolved is null
            ? null
            : new SyscallRule(position, allNames, resolved.Value, args ?? [], includes, excludes, comment);
    }

    // arg = { "index": 0..5, "value": UINT64, "valueTwo": UINT64, "op": SCMP_CMP_* }
    private ArgCondition? ReadArg(JsonElement element, string path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        ulong? index = null, value = null, valueTwo = null;
        string? op = null;
        var ok = true;
        ForEachField(element, path, ArgFields, (field, v, p) =>
        {
            switch (field)
            {
                case "index":
                    index = Unsigned(v, p);
                    ok &= index is not null || v.ValueKind == JsonValueKind.Null;
                    if (index > 5)
                    {
                        Error(p, $"argument index {index} is out of range: a syscall has arguments 0 to 5");
                        ok = false;
                    }
                    break;
                case "value":
                    value = Unsigned(v, p);
                    break;
                case "valueTwo":
                    valueTwo = Unsigned(v, p);
                    break;
                case "op":
                    op = String(v, p);
                    break;
            }
        });
        CompareOp parsedOp = default;
        if (op is null)
        {
            Error(path, "the argument condition has no \"op\"");
            ok = false;
        }
        else if (!CompareOpNames.TryParse(op, out parsedOp))
        {
            Error($"{path}.op", $"unknown operator \"{op}\"{DidYouMean.Hint(op, CompareOpNames.All)}");
            ok = false;
        }
        // Go leaves a missing index/value at 0; so does Docker.
        return ok ? new ArgCondition((int)(index ?? 0), parsedOp, value ?? 0, valueTwo ?? 0) : null;
    }

    // filter = { "caps": [CAP_*...], "arches": [GOARCH...], "minKernel": "X.Y" }
    private RuleFilter ReadFilter(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null || !ExpectObject(element, path))
        {
            return RuleFilter.Empty;
        }
        List<string>? caps = null, arches = null;
        KernelVersion? minKernel = null;
        ForEachField(element, path, FilterFields, (field, value, p) =>
        {
            switch (field)
            {
                case "caps":
                    caps = Array(value, p, ReadCapability);
                    break;
                case "arches":
                    arches = Array(value, p, String);
                    break;
                case "minKernel":
                    minKernel = ReadMinKernel(value, p);
                    break;
            }
        });
        return new RuleFilter(arches ?? [], caps ?? [], minKernel);
    }

    private string? ReadCapability(JsonElement element, string path)
    {
        var cap = String(element, path);
        if (cap is not null && !Capabilities.IsKnown(cap))
        {
            Warn(path, $"unknown capability \"{cap}\"{DidYouMean.Hint(cap, Capabilities.All)}: no capability set holds it");
        }
        return cap;
    }

    /// <summary>
    /// minKernel is "X.Y" (moby's KernelVersion). The 2018 default profile wrote "4.8.0";
    /// Docker of that time compared it as 4.8, today's Docker refuses it. sandboxrun reads
    /// major.minor of a three-part version and warns, so older profiles stay usable.
    /// </summary>
    private KernelVersion? ReadMinKernel(JsonElement element, string path)
    {
        var text = String(element, path);
        if (string.IsNullOrEmpty(text))
        {
            return null; // moby: "" means no minimum.
        }
        var parts = text.Split('.');
        if (parts.Length is 2 or 3 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit))
            && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var minor))
        {
            if (parts.Length == 3)
            {
                Warn(path, $"minKernel \"{text}\" has three parts: today's Docker refuses it (\"<kernel>.<major>\"); compared as {major}.{minor}");
            }
            return new KernelVersion(major, minor);
        }
        Error(path, $"invalid kernel version \"{text}\", expected \"<kernel>.<major>\" such as \"4.8\"");
        return null;
    }

    private string? ReadFlag(JsonElement element, string path)
    {
        var flag = String(element, path);
        if (flag is not null && !KnownFlags.Contains(flag))
        {
            Error(path, $"unknown filter flag \"{flag}\"{DidYouMean.Hint(flag, KnownFlags)} (runc knows {string.Join(", ", KnownFlags)})");
        }
        return flag;
    }

    private string? ArchName(JsonElement element, string path)
    {
        var arch = String(element, path);
        if (arch is not null && !KnownScmpArches.Contains(arch))
        {
            Error(path, $"unknown architecture \"{arch}\"{DidYouMean.Hint(arch, KnownScmpArches)}");
        }
        return arch;
    }

    /// <summary>
    /// Turns an action name and its errno fields into an action. runc: ERRNO and TRACE take
    /// errnoRet, EPERM when it is absent; other actions ignore it. Podman's <c>errno</c> name is
    /// documentation to Docker, which never reads it: it is checked against errnoRet only.
    /// </summary>
    private SeccompAction? ResolveAction(string? name, ulong? errnoRet, string? errnoName, string path, string errnoPath, string errnoNamePath, bool required)
    {
        if (name is null)
        {
            if (required)
            {
                Error(path, "no action given (one of " + string.Join(", ", ActionNames.All) + ")");
            }
            return null;
        }
        if (!ActionNames.TryParse(name, out var kind))
        {
            Error(path, $"unknown action \"{name}\"{DidYouMean.Hint(name, ActionNames.All)}");
            return null;
        }
        // libseccomp refuses SCMP_ACT_ERRNO(n) for n >= MAX_ERRNO (4095), so Docker does too;
        // TRACE carries any 16-bit message.
        if (kind == ActionKind.Errno && errnoRet >= ErrnoNames.MaxErrno)
        {
            Error(errnoPath, $"errno {errnoRet} is out of range: libseccomp takes 0 to {ErrnoNames.MaxErrno - 1}, so Docker refuses it");
            return null;
        }
        if (errnoRet > ushort.MaxValue)
        {
            Error(errnoPath, $"{errnoRet} is out of range: the value is 16 bits (0 to {ushort.MaxValue})");
            return null;
        }
        if (errnoName is not null)
        {
            if (!ErrnoNames.TryParse(errnoName, out var named))
            {
                Warn(errnoNamePath, $"unknown errno name \"{errnoName}\"{DidYouMean.Hint(errnoName, ErrnoNames.All)}");
            }
            else if (errnoRet is null)
            {
                Warn(errnoNamePath, $"\"{errnoName}\" is only a name to Docker, which reads the number: give \"{errnoPath[(errnoPath.LastIndexOf('.') + 1)..]}\": {named} (EPERM is used)");
            }
            else if (named != errnoRet)
            {
                Warn(errnoNamePath, $"\"{errnoName}\" is {named}, but the number given is {errnoRet}; the number is used");
            }
        }
        var hasData = kind is ActionKind.Errno or ActionKind.Trace;
        if (errnoRet is not null && !hasData)
        {
            Warn(errnoPath, $"{name} ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it");
        }
        return new SeccompAction(kind, hasData ? (ushort)(errnoRet ?? SeccompAction.EPERM) : (ushort)0);
    }

    // ---- Go-like field matching and typed values ----

    private void ForEachField(JsonElement obj, string path, string[] fields, Action<string, JsonElement, string> onField)
    {
        foreach (var property in obj.EnumerateObject())
        {
            // encoding/json: an exact match first, then a case-insensitive one.
            var field = System.Array.Find(fields, f => f == property.Name)
                ?? System.Array.Find(fields, f => f.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
            var fieldPath = Join(path, field ?? property.Name);
            if (field is null)
            {
                Warn(fieldPath, $"unknown field \"{property.Name}\" is ignored{DidYouMean.Hint(property.Name, fields)}");
                continue;
            }
            onField(field, property.Value, fieldPath);
        }
    }

    private string? String(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Null:
                return null;
            default:
                Error(path, $"expected a string, found {Describe(element)}");
                return null;
        }
    }

    private ulong? Unsigned(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Number)
        {
            Error(path, $"expected an unsigned integer, found {Describe(element)}");
            return null;
        }
        var raw = element.GetRawText();
        if (raw.StartsWith('-'))
        {
            Error(path, $"{raw} is negative: the value is an unsigned 64-bit integer");
            return null;
        }
        if (!ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            Error(path, raw.Any(c => c is '.' or 'e' or 'E')
                ? $"{raw} is not an integer: the value is an unsigned 64-bit integer"
                : $"{raw} does not fit in 64 bits (largest 18446744073709551615)");
            return null;
        }
        return value;
    }

    private List<T>? Array<T>(JsonElement element, string path, Func<JsonElement, string, T?> read)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Array)
        {
            Error(path, $"expected an array, found {Describe(element)}");
            return null;
        }
        var list = new List<T>();
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (read(item, $"{path}[{i++}]") is { } value)
            {
                list.Add(value);
            }
        }
        return list;
    }

    private bool ExpectObject(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }
        Error(path, $"expected an object, found {Describe(element)}");
        return false;
    }

    private void Error(string path, string message) => _errors.Add(Locate(path, message));

    private void Warn(string path, string message) => _warnings.Add(Locate(path, message));

    private string Locate(string path, string message) =>
        path.Length == 0 ? $"{_source}: {message}" : $"{_source}: {path}: {message}";

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    private static string Describe(JsonElement e) =>
        e.ValueKind switch
        {
            JsonValueKind.String => $"the string \"{Truncate(e.GetString()!)}\"",
            JsonValueKind.Number => $"the number {Truncate(e.GetRawText())}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
