using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SandboxRun.Errors;

namespace SandboxRun.Profiles;

/// <summary>
/// Reads a Docker-format profile (moby's profiles/seccomp types, the OCI runtime-spec
/// <c>linux.seccomp</c> object, Podman's extra errno names) into a <see cref="Profile"/>.
///
/// Leniency follows Go's encoding/json, which Docker uses: keys match case-insensitively
/// (an exact match wins), a repeated key's last value wins (a repeated object merges into
/// the first, as in Go; a repeated array of objects, which Go mixes, is refused), <c>null</c>
/// means absent, strings that are not UTF-8 read as U+FFFD, and unknown fields are ignored —
/// but each one is reported as a warning with its JSON path, because a typo in a security
/// file must not pass in silence. Numbers are unsigned 64-bit integers, written without
/// fraction or exponent, as Go's decoder demands.
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

    /// <summary>
    /// The SCMP_ARCH_* names runc accepts (libcontainer/seccomp/config.go <c>archs</c>). Fix:
    /// this list held libseccomp's names, but runc refuses SCMP_ARCH_NATIVE, PARISC, M68K
    /// and SH ("string … is not a valid arch for seccomp"), so Docker does too.
    /// </summary>
    internal static readonly string[] KnownScmpArches =
    [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
        "SCMP_ARCH_LOONGARCH64",
    ];

    /// <summary>
    /// Go and uname names of the two machines, which people write where an SCMP_ARCH_ name
    /// belongs; spelling distance alone suggests SCMP_ARCH_PPC64 for "SCMP_ARCH_AMD64".
    /// </summary>
    private static readonly Dictionary<string, string> ArchAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["amd64"] = "SCMP_ARCH_X86_64",
        ["x86_64"] = "SCMP_ARCH_X86_64",
        ["x86-64"] = "SCMP_ARCH_X86_64",
        ["x64"] = "SCMP_ARCH_X86_64",
        ["386"] = "SCMP_ARCH_X86",
        ["i386"] = "SCMP_ARCH_X86",
        ["i686"] = "SCMP_ARCH_X86",
        ["arm64"] = "SCMP_ARCH_AARCH64",
        ["aarch64"] = "SCMP_ARCH_AARCH64",
        ["arm"] = "SCMP_ARCH_ARM",
    };

    /// <summary>
    /// Fields holding arrays of objects. When such a key repeats, Go's decoder does not take
    /// the last array: it decodes the new elements into the old ones (golang/go#21092).
    /// </summary>
    private static readonly string[] ObjectArrayFields = ["syscalls", "archMap", "args"];

    /// <summary>encoding/json's nesting limit (scanner.go maxNestingDepth).</summary>
    private const int GoMaxDepth = 10000;

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
    internal static Profile ReadFile(string path) => Read(path, ReadBytes(path));

    /// <summary>A profile file's bytes; a clear error when it cannot be read.</summary>
    internal static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException([$"{path}: cannot read the profile: {e.Message}"]);
        }
    }

    internal static Profile Read(string source, ReadOnlyMemory<byte> utf8)
    {
        var reader = new ProfileReader(source);
        if (utf8.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            // Fix: System.Text.Json's message for this case talks about isFinalBlock.
            throw new ProfileException([$"{source}: invalid JSON: the file is empty (a profile is a JSON object)"]);
        }
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            // Go's decoder refuses a byte order mark as it refuses any other stray character.
            throw new ProfileException([$"{source}: invalid JSON at line 1, column 1: the file starts with a UTF-8 byte order mark, which Docker refuses too; save it without one"]);
        }
        // Fix: Go's limit, not 64; Go reads (and ignores) deep values under unknown fields.
        var options = new JsonDocumentOptions { MaxDepth = GoMaxDepth };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}"
                : "at the start";
            throw new ProfileException([$"{source}: invalid JSON at {where}: {FirstSentence(e.Message)}"]);
        }
        // Fix: strings that System.Text.Json parses but cannot return (it threw
        // InvalidOperationException, a crash) are read as Go reads them.
        if (GoStrings.Sanitize(utf8.Span, out var replaced, out var firstBad) is { } sanitized)
        {
            document.Dispose();
            document = JsonDocument.Parse(sanitized, options);
            var (badLine, badColumn) = GoStrings.LineAndColumn(utf8.Span, firstBad);
            reader._warnings.Add($"{source}: {replaced} invalid UTF-8 byte(s) or unpaired surrogate escape(s) in strings, the first at line {badLine}, column {badColumn}: read as U+FFFD, as Docker's Go decoder does");
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
            Error(JsonPath.Root, $"a profile is a JSON object, not {Describe(root)}");
            return null;
        }
        string? defaultAction = null, defaultErrnoName = null, listenerPath = null, listenerMetadata = null;
        ulong? defaultErrnoRet = null;
        List<string>? architectures = null, flags = null;
        List<ArchMapEntry>? archMap = null;
        List<SyscallRule>? syscalls = null;
        var defaultActionMistyped = false;

        foreach (var (field, value, path) in Fields(root, JsonPath.Root, TopFields))
        {
            switch (field)
            {
                case "defaultAction":
                    // Go: null leaves a string (or uint) field as it was; only pointers and slices reset.
                    defaultAction = String(value, path) ?? defaultAction;
                    defaultActionMistyped |= value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null);
                    break;
                case "defaultErrnoRet":
                    defaultErrnoRet = Unsigned(value, path);
                    break;
                case "defaultErrno":
                    defaultErrnoName = String(value, path) ?? defaultErrnoName;
                    break;
                case "architectures":
                    architectures = Array(value, path, ArchItem);
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
                    listenerPath = String(value, path) ?? listenerPath;
                    break;
                case "listenerMetadata":
                    listenerMetadata = String(value, path) ?? listenerMetadata;
                    break;
            }
        }

        if ((architectures?.Count ?? 0) > 0 && (archMap?.Count ?? 0) > 0)
        {
            // moby profiles/seccomp/seccomp_linux.go refuses the two forms together.
            Error(JsonPath.Root.Field("archMap"), "'architectures' and 'archMap' are both given: Docker refuses that, use one of them");
        }

        var action = ResolveAction(defaultAction, defaultErrnoRet, defaultErrnoName, JsonPath.Root, "defaultAction", "defaultErrnoRet", "defaultErrno", required: !defaultActionMistyped);
        if (action is { Kind: ActionKind.Notify })
        {
            Error(JsonPath.Root.Field("defaultAction"), "SCMP_ACT_NOTIFY cannot be the default action (runc refuses it: the write that hands the listener over would be notified too)");
        }

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
    private ArchMapEntry? ReadArchMapEntry(JsonElement element, JsonPath path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        string? architecture = null;
        List<string>? subs = null;
        foreach (var (field, value, p) in Fields(element, path, ArchMapFields))
        {
            if (field == "architecture")
            {
                architecture = CheckArch(String(value, p), p) ?? architecture;
            }
            else
            {
                subs = Array(value, p, ArchItem);
            }
        }
        if (architecture is null)
        {
            Error(path, "an archMap entry needs \"architecture\"");
            return null;
        }
        return new ArchMapEntry(architecture, subs ?? []);
    }

    // rule = { "name": STR | "names": [STR...], "action": ACTION, "errnoRet": UINT, "errno": ENAME,
    //          "args": [arg...], "comment": STR, "includes": filter, "excludes": filter }
    private SyscallRule? ReadRule(JsonElement element, JsonPath path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        string? name = null, action = null, errnoName = null, comment = null;
        List<string>? names = null;
        List<ArgCondition>? args = null;
        ulong? errnoRet = null;
        RuleFilter includes = RuleFilter.Empty, excludes = RuleFilter.Empty;
        var actionMistyped = false;

        foreach (var (field, value, p) in Fields(element, path, RuleFields))
        {
            switch (field)
            {
                case "name":
                    name = String(value, p) ?? name;
                    break;
                case "names":
                    names = Strings(value, p);
                    break;
                case "action":
                    action = String(value, p) ?? action;
                    actionMistyped |= value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null);
                    break;
                case "errnoRet":
                    errnoRet = Unsigned(value, p);
                    break;
                case "errno":
                    errnoName = String(value, p) ?? errnoName;
                    break;
                case "args":
                    args = Array(value, p, ReadArg);
                    break;
                case "comment":
                    comment = String(value, p) ?? comment;
                    break;
                case "includes":
                    includes = ReadFilter(value, p, includes, inExcludes: false);
                    break;
                case "excludes":
                    excludes = ReadFilter(value, p, excludes, inExcludes: true);
                    break;
            }
        }

        // moby setupSeccomp: `name` counts only when it is not "" (Fix: "" was taken as a
        // name), and then `names` must be empty. runc matchCall refuses "" in `names`.
        var hasName = !string.IsNullOrEmpty(name);
        if (hasName && names is { Count: > 0 })
        {
            Error(path, "both \"name\" and \"names\" are given: Docker refuses that, use \"names\"");
        }
        List<string> allNames = hasName ? [name!] : names ?? [];
        if (allNames.Count == 0)
        {
            // Fix: this was an error, but runc's specconv turns a rule into one rule per name,
            // so Docker accepts a rule without names and it does nothing.
            Warn(path, "the rule names no syscall, so it does nothing (Docker ignores it too); give \"names\": [...]");
        }
        for (var i = 0; i < (names?.Count ?? 0); i++)
        {
            if (names![i].Length == 0)
            {
                Error(path.Field("names").Item(i), "an empty string is not a syscall name");
            }
        }

        var resolved = ResolveAction(action, errnoRet, errnoName, path, "action", "errnoRet", "errno", required: !actionMistyped);
        if (resolved is { Kind: ActionKind.Notify } && allNames.Contains("write"))
        {
            Error(path.Field("action"), "SCMP_ACT_NOTIFY cannot be used for write (runc refuses it: the listener is handed over with a write)");
        }
        return resolved is null
            ? null
            : new SyscallRule(path.Index, allNames, resolved.Value, args ?? [], includes, excludes, comment);
    }

    // arg = { "index": 0..5, "value": UINT64, "valueTwo": UINT64, "op": SCMP_CMP_* }
    private ArgCondition? ReadArg(JsonElement element, JsonPath path)
    {
        if (!ExpectObject(element, path))
        {
            return null;
        }
        ulong? index = null, value = null, valueTwo = null;
        string? op = null;
        var errorsBefore = _errors.Count;
        // Go: these are plain uint/uint64/string fields, so null leaves them as they were.
        foreach (var (field, v, p) in Fields(element, path, ArgFields))
        {
            switch (field)
            {
                case "index":
                    var i = Unsigned(v, p);
                    if (i > 5)
                    {
                        Error(p, $"argument index {i} is out of range: a syscall has arguments 0 to 5");
                    }
                    index = i ?? index;
                    break;
                case "value":
                    value = Unsigned(v, p) ?? value;
                    break;
                case "valueTwo":
                    valueTwo = Unsigned(v, p) ?? valueTwo;
                    break;
                case "op":
                    op = String(v, p) ?? op;
                    break;
            }
        }
        CompareOp parsedOp = default;
        if (op is null)
        {
            Error(path, "the argument condition has no \"op\"");
        }
        else if (!CompareOpNames.TryParse(op, out parsedOp))
        {
            Error(path.Field("op"), $"unknown operator \"{op}\"{DidYouMean.Hint(op, CompareOpNames.All)}");
        }
        // Go leaves a missing index/value at 0; so does Docker.
        return _errors.Count == errorsBefore ? new ArgCondition((int)(index ?? 0), parsedOp, value ?? 0, valueTwo ?? 0) : null;
    }

    // filter = { "caps": [CAP_*...], "arches": [GOARCH...], "minKernel": "X.Y" }
    // Go decodes a repeated "includes" into the same *Filter, so the fields of both objects
    // merge (Fix: the last object replaced the first); null resets the pointer.
    private RuleFilter ReadFilter(JsonElement element, JsonPath path, RuleFilter previous, bool inExcludes)
    {
        if (element.ValueKind == JsonValueKind.Null || !ExpectObject(element, path))
        {
            return RuleFilter.Empty;
        }
        IReadOnlyList<string>? caps = previous.Caps, arches = previous.Arches;
        var minKernel = previous.MinKernel;
        foreach (var (field, value, p) in Fields(element, path, FilterFields))
        {
            switch (field)
            {
                case "caps":
                    caps = Array(value, p, ReadCapability);
                    break;
                case "arches":
                    arches = Strings(value, p);
                    break;
                case "minKernel":
                    minKernel = value.ValueKind == JsonValueKind.Null ? null : ReadMinKernel(value, p, minKernel, inExcludes);
                    break;
            }
        }
        return new RuleFilter(arches ?? [], caps ?? [], minKernel);
    }

    private string? ReadCapability(JsonElement element, JsonPath path)
    {
        var cap = StringItem(element, path);
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
    private KernelVersion? ReadMinKernel(JsonElement element, JsonPath path, KernelVersion? previous, bool inExcludes)
    {
        var text = String(element, path);
        if (text is null)
        {
            return null;
        }
        if (text.Length == 0)
        {
            // Fix: this gave "no minimum". moby's UnmarshalJSON returns early on "" and leaves
            // the KernelVersion it was given: a fresh one is 0.0, which every kernel reaches.
            // In includes that is no condition; in excludes it drops the rule everywhere.
            if (inExcludes && previous is null)
            {
                Warn(path, "an empty minKernel is 0.0 to Docker, which every kernel reaches: the rule is always excluded");
            }
            return previous ?? new KernelVersion(0, 0);
        }
        var parts = text.Split('.');
        // moby parses each part with strconv.ParseUint(part, 10, 8) and refuses 0.0 (Fix:
        // both were accepted).
        if (parts.Length is 2 or 3 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit))
            && byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            if (major == 0 && minor == 0)
            {
                Error(path, $"invalid kernel version \"{text}\": the version cannot be 0.0");
                return null;
            }
            if (parts.Length == 3)
            {
                Warn(path, $"minKernel \"{text}\" has three parts: today's Docker refuses it (\"<kernel>.<major>\"); compared as {major}.{minor}");
            }
            return new KernelVersion(major, minor);
        }
        Error(path, $"invalid kernel version \"{text}\", expected \"<kernel>.<major>\" such as \"4.8\", each part 0 to 255");
        return null;
    }

    private string? ReadFlag(JsonElement element, JsonPath path)
    {
        var flag = StringItem(element, path);
        if (flag is not null && !KnownFlags.Contains(flag))
        {
            Error(path, $"unknown filter flag \"{flag}\"{DidYouMean.Hint(flag, KnownFlags)} (runc knows {string.Join(", ", KnownFlags)})");
        }
        return flag;
    }

    private string? ArchItem(JsonElement element, JsonPath path) => CheckArch(StringItem(element, path), path);

    private string? CheckArch(string? arch, JsonPath path)
    {
        if (arch is not null && !KnownScmpArches.Contains(arch))
        {
            var hint = ArchAliases.GetValueOrDefault(arch.StartsWith("SCMP_ARCH_", StringComparison.OrdinalIgnoreCase) ? arch["SCMP_ARCH_".Length..] : arch) is { } alias
                ? $" (did you mean {alias}?)"
                : DidYouMean.Hint(arch, KnownScmpArches);
            Error(path, $"unknown architecture \"{arch}\"{hint}");
        }
        return arch;
    }

    /// <summary>
    /// Turns an action name and its errno fields into an action. runc: ERRNO and TRACE take
    /// errnoRet, EPERM when it is absent; other actions ignore it. Podman's <c>errno</c> name is
    /// documentation to Docker, which never reads it: it is checked against errnoRet only.
    /// <paramref name="required"/> is false where a mistyped action was already reported
    /// (Fix: it was reported a second time as missing). The three fields are named as they
    /// are spelt in <paramref name="owner"/>, the profile or a rule; their paths are made
    /// only for a message.
    /// </summary>
    private SeccompAction? ResolveAction(string? name, ulong? errnoRet, string? errnoName, JsonPath owner, string actionField, string errnoRetField, string errnoField, bool required)
    {
        if (name is null)
        {
            if (required)
            {
                Error(owner.Field(actionField), "no action given (one of " + string.Join(", ", ActionNames.All) + ")");
            }
            return null;
        }
        if (!ActionNames.TryParse(name, out var kind))
        {
            Error(owner.Field(actionField), $"unknown action \"{name}\"{DidYouMean.Hint(name, ActionNames.All)}");
            return null;
        }
        // libseccomp refuses SCMP_ACT_ERRNO(n) for n >= MAX_ERRNO (4095), so Docker does too;
        // TRACE carries any 16-bit message.
        if (kind == ActionKind.Errno && errnoRet >= ErrnoNames.MaxErrno)
        {
            Error(owner.Field(errnoRetField), $"errno {errnoRet} is out of range: libseccomp takes 0 to {ErrnoNames.MaxErrno - 1}, so Docker refuses it");
            return null;
        }
        if (errnoRet > ushort.MaxValue)
        {
            Error(owner.Field(errnoRetField), $"{errnoRet} is out of range: the value is 16 bits (0 to {ushort.MaxValue})");
            return null;
        }
        var hasData = kind is ActionKind.Errno or ActionKind.Trace;
        if (errnoName is not null && !hasData)
        {
            // Fix: the hint below ("EPERM is used") was given for actions without an errno.
            Warn(owner.Field(errnoField), $"{name} ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it");
        }
        else if (errnoName is not null)
        {
            if (!ErrnoNames.TryParse(errnoName, out var named))
            {
                Warn(owner.Field(errnoField), $"unknown errno name \"{errnoName}\"{DidYouMean.Hint(errnoName, ErrnoNames.All)}");
            }
            else if (errnoRet is null)
            {
                Warn(owner.Field(errnoField), $"\"{errnoName}\" is only a name to Docker, which reads the number: give \"{errnoRetField}\": {named} (EPERM is used)");
            }
            else if (named != errnoRet)
            {
                Warn(owner.Field(errnoField), $"\"{errnoName}\" is {named}, but the number given is {errnoRet}; the number is used");
            }
        }
        if (errnoRet is not null && !hasData)
        {
            Warn(owner.Field(errnoRetField), $"{name} ignores an errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it");
        }
        return new SeccompAction(kind, hasData ? (ushort)(errnoRet ?? SeccompAction.EPERM) : (ushort)0);
    }

    // ---- Go-like field matching and typed values ----

    /// <summary>
    /// The known fields of <paramref name="obj"/>, in order, each with its path: unknown
    /// fields are warned about and skipped, and an array of objects given twice is refused.
    /// </summary>
    private FieldEnumerator Fields(JsonElement obj, JsonPath path, string[] fields)
    {
        Debug.Assert(fields.Length <= 32, "FieldEnumerator keeps the fields seen as bits of a uint");
        return new FieldEnumerator(this, obj, path, fields);
    }

    /// <summary>A known field of an object, as <see cref="Fields"/> yields it.</summary>
    private readonly record struct Field(string Name, JsonElement Value, JsonPath Path);

    /// <summary>
    /// A foreach-able struct, so that reading a rule's fields allocates neither a closure
    /// nor a record of the fields seen (it runs for every object on every launch).
    /// </summary>
    private struct FieldEnumerator(ProfileReader reader, JsonElement obj, JsonPath path, string[] fields)
    {
        private JsonElement.ObjectEnumerator _properties = obj.EnumerateObject();
        private int _position = -1;
        private uint _seen; // bit i: fields[i] was given earlier in the object

        public Field Current { get; private set; }

        public readonly FieldEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_properties.MoveNext())
            {
                _position++;
                var property = _properties.Current;
                var index = FieldIndex(property, fields);
                if (index < 0)
                {
                    var name = property.Name;
                    reader.Warn(path.Field(name), $"unknown field \"{name}\" is ignored{DidYouMean.Hint(name, fields)}");
                    continue;
                }
                var field = fields[index];
                var fieldPath = path.Field(field);
                if ((_seen & (1u << index)) != 0 && IsNonEmptyArray(property.Value)
                    && ObjectArrayFields.Contains(field) && IsNonEmptyArray(Earlier(index)))
                {
                    // Fix: the last array was taken. Go decodes the new elements into the old
                    // ones, field by field, so the result mixes both; refuse rather than guess.
                    reader.Error(fieldPath, $"\"{field}\" is given twice: Docker's Go decoder would merge the two arrays element by element instead of taking the last; give it once");
                }
                _seen |= 1u << index;
                Current = new Field(field, property.Value, fieldPath);
                return true;
            }
            return false;
        }

        /// <summary>
        /// The value that fields[index] was last given before the current property. Only a
        /// repeated key asks, so the object is walked again rather than every value kept.
        /// </summary>
        private readonly JsonElement Earlier(int index)
        {
            JsonElement earlier = default;
            var position = 0;
            foreach (var property in obj.EnumerateObject())
            {
                if (position++ == _position)
                {
                    break;
                }
                if (FieldIndex(property, fields) == index)
                {
                    earlier = property.Value;
                }
            }
            return earlier;
        }

        private static bool IsNonEmptyArray(JsonElement value) =>
            value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0;
    }

    /// <summary>
    /// The index in <paramref name="fields"/> of the field a property names, -1 if none.
    /// encoding/json takes an exact match first, compared here as UTF-8 (no string is made),
    /// then a case-insensitive one.
    /// </summary>
    private static int FieldIndex(JsonProperty property, string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (property.NameEquals(fields[i]))
            {
                return i;
            }
        }
        var name = property.Name;
        for (var i = 0; i < fields.Length; i++)
        {
            if (GoStrings.FoldEquals(fields[i], name))
            {
                return i;
            }
        }
        return -1;
    }

    private string? String(JsonElement element, JsonPath path)
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

    /// <summary>
    /// A string element of an array. Go decodes null there as the zero value "" (Fix: null
    /// elements were dropped, so <c>"names": [null]</c> passed where runc refuses "").
    /// </summary>
    private string? StringItem(JsonElement element, JsonPath path) =>
        element.ValueKind == JsonValueKind.Null ? "" : String(element, path);

    private ulong? Unsigned(JsonElement element, JsonPath path)
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

    private List<T>? Array<T>(JsonElement element, JsonPath path, Func<JsonElement, JsonPath, T?> read)
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
            if (read(item, path.Item(i++)) is { } value)
            {
                list.Add(value);
            }
        }
        return list;
    }

    /// <summary>
    /// An array of strings (syscall names, arches), as <see cref="Array{T}"/> with
    /// <see cref="StringItem"/>, but an item gets a path only when it is not a string:
    /// docker-default names some 440 syscalls.
    /// </summary>
    private List<string>? Strings(JsonElement element, JsonPath path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return Array(element, path, StringItem);
        }
        var list = new List<string>(element.GetArrayLength());
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var value = item.ValueKind switch
            {
                JsonValueKind.String => item.GetString(),
                _ => StringItem(item, path.Item(i)),
            };
            if (value is not null)
            {
                list.Add(value);
            }
            i++;
        }
        return list;
    }

    private bool ExpectObject(JsonElement element, JsonPath path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return true;
        }
        Error(path, $"expected an object, found {Describe(element)}");
        return false;
    }

    private void Error(JsonPath path, string message) => _errors.Add(Locate(path, message));

    private void Warn(JsonPath path, string message) => _warnings.Add(Locate(path, message));

    // The text, not the root object, decides: an unknown field named "" at the top has the
    // text "" too, and its warning has always been written without a path.
    private string Locate(JsonPath path, string message) =>
        path.ToString() is { Length: > 0 } where ? $"{_source}: {where}: {message}" : $"{_source}: {message}";

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

    private static string Truncate(string s) =>
        s.Length <= 40 ? s : s[..(char.IsHighSurrogate(s[39]) ? 39 : 40)] + "…";

    /// <summary>
    /// The first sentence of System.Text.Json's message. Fix: the rest was kept, which
    /// repeated the position 0-based ("LineNumber: 0 | BytePositionInLine: 4") beside the
    /// 1-based one, and could say "Change the reader options".
    /// </summary>
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
