using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SandboxRun.Arch;
using SandboxRun.Bpf;
using SandboxRun.Errors;
using SandboxRun.Policy;
using SandboxRun.Profiles;
using SandboxRun.Tests.Support;
using Xunit.Abstractions;

namespace SandboxRun.Tests.Profiles;

/// <summary>
/// A seeded mutation fuzzer over real and hand-made profiles (SPEC.md §7 "never a crash").
/// Each mutant is read, and when it reads, resolved and compiled for both machines. The only
/// acceptable outcomes are a program or a <see cref="SandboxRunException"/>; anything else is
/// a bug, reported with the seed that rebuilds the mutant.
/// <para>
/// Mutant <c>i</c> of a run is built from <c>new Random(BaseSeed + i)</c> alone, so a seed in a
/// failure message reproduces it: set <c>SANDBOXRUN_FUZZ_SEED</c> to it and
/// <c>SANDBOXRUN_FUZZ_MUTANTS=1</c>. The base seed is fixed so CI is deterministic; set the
/// variables to explore further (e.g. a seed from the date and 100000 mutants).
/// </para>
/// </summary>
public sealed class FuzzSpecs(ITestOutputHelper output)
{
    private const int DefaultBaseSeed = 20_250_601;
    private const int DefaultMutants = 8_000;
    private const int MaxReported = 10;

    private static readonly ResolveOptions Options = new(Capabilities.Docker, new KernelVersion(6, 18));

    /// <summary>Profiles that reach the corners the corpus does not: every operator, action, field.</summary>
    private static readonly string[] HandMade =
    [
        """
        {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
         "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                     {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
         "syscalls": [
           {"names": ["read", "write", "socket", "ipc", "shmget", "accept4"], "action": "SCMP_ACT_ALLOW"},
           {"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_NE"}, {"index": 2, "value": 4294967296, "op": "SCMP_CMP_LT"}]},
           {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97, "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}]},
           {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}], "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
           {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_LE"}, {"index": 0, "value": 131072, "op": "SCMP_CMP_GE"}, {"index": 1, "value": 3, "op": "SCMP_CMP_GT"}]},
           {"names": ["ptrace"], "action": "SCMP_ACT_TRACE", "errnoRet": 7, "includes": {"minKernel": "4.8", "arches": ["amd64", "arm64"]}},
           {"names": ["kill", "tkill"], "action": "SCMP_ACT_KILL_PROCESS"},
           {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
           {"names": ["uname"], "action": "SCMP_ACT_LOG"},
           {"names": ["getpid"], "action": "SCMP_ACT_TRAP"},
           {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
           {"name": "unshare", "action": "SCMP_ACT_KILL", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
           {"names": ["open", "nosuchcall"], "action": "SCMP_ACT_KILL_THREAD", "comment": "x"}
         ],
         "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock", "listenerMetadata": "m"}
        """,
        """
        {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
         "syscalls": [{"names": ["mount", "umount2", "reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                      {"names": ["socketcall"], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
        """,
        """
        {"defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [{"names": ["exit_group", "execve", "brk", "mmap"], "action": "SCMP_ACT_ALLOW"}]}
        """,
    ];

    /// <summary>Strings a mutation puts where a string was: names of every kind, and the odd ones.</summary>
    private static readonly string[] Words =
    [
        "read", "write", "socket", "socketcall", "ipc", "clone", "clone3", "ioctl", "openat2", "futex_requeue", "uretprobe", "nosuch",
        "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_TRAP", "SCMP_ACT_KILL_PROCESS",
        "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_GE", "SCMP_CMP_EQUAL",
        "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_NATIVE",
        "amd64", "arm64", "386", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_NOPE", "4.8", "4.8.0", "0.0", "255.255", "4", "",
        "names", "name", "action", "args", "index", "value", "valueTwo", "op", "errnoRet", "errno", "includes", "excludes",
        "minKernel", "caps", "arches", "archMap", "architectures", "syscalls", "defaultAction", "defaultErrnoRet", "flags",
        "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC", "EPERM", "ENOSYS", "EFOO", "\u017Fyscalls", "min\u212Aernel",
        "\\ud800", "\\udc00\\ud800", "\u00e9\u0000x", "\\u0000", new string('a', 300),
    ];

    /// <summary>Names by kind: a string of one kind is mostly replaced by another of the same kind.</summary>
    private static readonly string[][] Families =
    [
        [.. Arch.Arch.All.SelectMany(a => a.Table.Select(e => e.Name)).Distinct().Order(StringComparer.Ordinal)],
        [.. ActionNames.All],
        [.. CompareOpNames.All],
        [.. ProfileReader.KnownScmpArches],
        [.. Capabilities.All],
        ["amd64", "arm64", "386", "arm", "s390x", "ppc64le", "riscv64"],
        [.. ErrnoNames.All.Take(40)],
    ];

    /// <summary>Values the arguments of a rule take: the edges of 32 and 64 bits and small ones.</summary>
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 3, 8, 16, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x100000001, 0xffffffff00000000,
        0x7fffffffffffffff, 0x8000000000000000, ulong.MaxValue, ulong.MaxValue - 1, 0x7E020000,
    ];

    /// <summary>Numbers a mutation puts where a number was.</summary>
    private static readonly string[] Numbers =
    [
        "0", "1", "5", "6", "38", "4095", "4096", "65535", "65536", "4294967295", "4294967296", "9223372036854775807",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999999", "-1", "-0", "-9223372036854775809",
        "1.5", "1.0", "0.0", "1e3", "1E400", "-1e-400", "2147483648", "0x10",
    ];

    /// <summary>Values of every JSON type, for type swaps.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "\"\"", "\"x\"", "[]", "{}", "[null]", "[{}]", "[[]]", "{\"names\": []}", "[\"read\"]",
        "{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}",
    ];

    [Fact]
    public void I_cannot_crash_the_reader_resolver_or_compiler_with_mutated_profiles()
    {
        // Arrange
        var seeds = SeedProfiles();
        var baseSeed = EnvInt("SANDBOXRUN_FUZZ_SEED", DefaultBaseSeed);
        var count = EnvInt("SANDBOXRUN_FUZZ_MUTANTS", DefaultMutants);
        var bugs = new List<string>();
        var outcomes = new int[4]; // compiled, refused by the reader, refused later, crashed
        var slowest = new List<(TimeSpan Time, string Mutant)>();
        var refusals = new SortedSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        // Act
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var seed = baseSeed + i;
            var started = Stopwatch.GetTimestamp();
            var (mutant, how) = Mutate(seeds, seed);
            var outcome = Run(mutant, out var bug, out var refusal);
            Interlocked.Increment(ref outcomes[outcome]);
            if (outcome == 2 && refusal is not null)
            {
                lock (refusals)
                {
                    // One line per kind of refusal: the numbers and names in it vary.
                    refusals.Add(System.Text.RegularExpressions.Regex.Replace(refusal, "[0-9]+|\"[^\"]*\"|syscalls\\[[^\\]]*\\]", "…"));
                }
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            lock (slowest)
            {
                slowest.Add((elapsed, $"seed {seed} ({how})"));
                slowest.Sort((a, b) => b.Time.CompareTo(a.Time));
                slowest.RemoveRange(Math.Min(3, slowest.Count), slowest.Count - Math.Min(3, slowest.Count));
            }
            if (bug is not null)
            {
                lock (bugs)
                {
                    if (bugs.Count < MaxReported)
                    {
                        bugs.Add($"seed {seed} ({how}): {bug}\n  mutant: {Excerpt(mutant)}");
                    }
                }
            }
        });

        // Assert
        output.WriteLine($"{count} mutants from seed {baseSeed} in {clock.Elapsed.TotalSeconds:F1} s: {outcomes[0]} compiled, {outcomes[1]} refused by the reader, {outcomes[2]} refused by the resolver or compiler, {outcomes[3]} crashed");
        foreach (var (time, mutant) in slowest)
        {
            output.WriteLine($"  slow: {time.TotalMilliseconds:F0} ms, {mutant}");
        }
        foreach (var refusal in refusals.Take(10))
        {
            output.WriteLine($"  refused later: {refusal}");
        }
        Assert.True(bugs.Count == 0, $"{bugs.Count} mutant(s) crashed (first {MaxReported} shown):\n" + string.Join("\n", bugs));
        Assert.True(outcomes[0] > count / 10, "too few mutants compiled: the mutations are too destructive to reach the compiler");
    }

    [Fact]
    public void I_can_compile_every_seed_profile_for_both_machines()
    {
        // Arrange
        var seeds = SeedProfiles();

        // Act
        var failures = seeds.Select(s => (s.Name, Outcome: Run(s.Bytes, out var bug, out var refusal), Bug: bug ?? refusal)).Where(r => r.Outcome != 0).ToList();

        // Assert
        Assert.Empty(failures.Select(f => $"{f.Name}: {f.Bug ?? "refused"}"));
    }

    /// <summary>0: compiled for both machines; 1: the reader refused it; 2: refused later; 3: a bug, any other exception.</summary>
    private static int Run(byte[] profileBytes, out string? bug, out string? refusal)
    {
        bug = null;
        refusal = null;
        try
        {
            var profile = ProfileReader.Read("fuzz.json", profileBytes);
            foreach (var target in TargetArch.All)
            {
                try
                {
                    var policy = PolicyResolver.Resolve(profile, target, Options);
                    _ = SeccompCompiler.Compile(policy);
                }
                catch (SandboxRunException e)
                {
                    refusal = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    return 2;
                }
            }
            return 0;
        }
        catch (ProfileException e)
        {
            refusal = e.Message;
            return 1;
        }
        catch (Exception e) when (e is not SandboxRunException)
        {
            bug = $"{e.GetType().FullName}: {e.Message}\n  {string.Join("\n  ", (e.StackTrace ?? "").Split('\n').Take(8).Select(l => l.Trim()))}";
            return 3;
        }
    }

    private static List<(string Name, byte[] Bytes)> SeedProfiles()
    {
        var seeds = HandMade.Select((text, i) => ($"hand-made-{i}", Encoding.UTF8.GetBytes(text))).ToList();
        if (Directory.Exists(Paths.Corpus))
        {
            seeds.AddRange(Directory.GetFiles(Paths.Corpus, "*.json").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))));
        }
        return seeds;
    }

    // ---- mutations ----

    /// <summary>One mutant: a seed profile with one to four mutations stacked; and what was done.</summary>
    internal static (byte[] Bytes, string How) Mutate(List<(string Name, byte[] Bytes)> seeds, int seed)
    {
        var random = new Random(seed);
        var (name, bytes) = seeds[random.Next(seeds.Count)];
        var how = new List<string> { name };
        // One mutation half the time, so that many mutants stay close enough to compile.
        var n = random.Next(4) switch { 0 or 1 => 1, 2 => 2, _ => 3 + random.Next(2) };
        for (var k = 0; k < n; k++)
        {
            var kind = random.Next(100);
            (bytes, var what) = kind switch
            {
                < 5 => FlipBytes(bytes, random),
                < 8 => Truncate(bytes, random),
                < 16 => DeleteToken(bytes, random),
                < 23 => DuplicateToken(bytes, random),
                < 35 => ReplaceNumber(bytes, random),
                < 50 => ReplaceString(bytes, random),
                < 60 => SwapType(bytes, random),
                < 66 => InsertField(bytes, random),
                < 71 => CopyValue(bytes, random),
                _ => Restructure(bytes, random),
            };
            how.Add(what);
        }
        return (bytes, string.Join(", ", how));
    }

    private static (byte[], string) FlipBytes(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        var flips = 1 + random.Next(3);
        for (var i = 0; i < flips && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return (copy, $"flip {flips} bit(s)");
    }

    private static (byte[], string) Truncate(byte[] bytes, Random random)
    {
        var length = random.Next(bytes.Length + 1);
        return (bytes[..length], $"truncate at {length}");
    }

    private static (byte[], string) DeleteToken(byte[] bytes, Random random)
    {
        var tokens = Tokens(bytes);
        if (tokens.Count == 0)
        {
            return (bytes, "no token to delete");
        }
        var t = tokens[random.Next(tokens.Count)];
        // A whole value (with its container) half the time, else the token alone.
        var length = random.Next(2) == 0 ? t.ValueLength : t.Length;
        return (Splice(bytes, t.Start, length, []), $"delete {t.Type} at {t.Start}");
    }

    private static (byte[], string) DuplicateToken(byte[] bytes, Random random)
    {
        var tokens = Tokens(bytes);
        if (tokens.Count == 0)
        {
            return (bytes, "no token to duplicate");
        }
        var t = tokens[random.Next(tokens.Count)];
        var length = random.Next(2) == 0 ? t.ValueLength : t.Length;
        var copy = bytes.AsSpan(t.Start, length).ToArray();
        // After a property name, duplicate the whole property: "key": value, "key": value.
        var separator = random.Next(3) == 0 ? ""u8.ToArray() : ", "u8.ToArray();
        return (Splice(bytes, t.Start + length, 0, [.. separator, .. copy]), $"duplicate {t.Type} at {t.Start}");
    }

    private static (byte[], string) ReplaceNumber(byte[] bytes, Random random)
    {
        var numbers = Tokens(bytes).Where(t => t.Type == JsonTokenType.Number).ToList();
        if (numbers.Count == 0)
        {
            return ReplaceString(bytes, random);
        }
        var t = numbers[random.Next(numbers.Count)];
        var with = random.Next(4) == 0
            ? ((ulong)random.NextInt64() * (ulong)random.Next(1, 5)).ToString(CultureInfo.InvariantCulture)
            : Numbers[random.Next(Numbers.Length)];
        return (Splice(bytes, t.Start, t.Length, Encoding.UTF8.GetBytes(with)), $"number at {t.Start} := {with}");
    }

    private static (byte[], string) ReplaceString(byte[] bytes, Random random)
    {
        var strings = Tokens(bytes).Where(t => t.Type is JsonTokenType.String or JsonTokenType.PropertyName).ToList();
        if (strings.Count == 0)
        {
            return FlipBytes(bytes, random);
        }
        var t = strings[random.Next(strings.Count)];
        var original = Encoding.UTF8.GetString(bytes, t.Start + 1, Math.Max(0, t.Length - 2));
        var family = Array.Find(Families, f => f.Contains(original));
        var word = random.Next(8) switch
        {
            0 => RandomName(random),
            1 => Words[random.Next(Words.Length)].ToUpperInvariant(),
            2 or 3 => Words[random.Next(Words.Length)],
            _ when family is not null => family[random.Next(family.Length)],
            _ => Words[random.Next(Words.Length)],
        };
        byte[] with = random.Next(20) == 0
            ? [(byte)'"', .. Encoding.UTF8.GetBytes(word), 0xC3, (byte)'"'] // not UTF-8
            : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(word).Replace("\\\\u", "\\u", StringComparison.Ordinal));
        return (Splice(bytes, t.Start, t.Length, with), $"string at {t.Start} := {word}");
    }

    private static (byte[], string) SwapType(byte[] bytes, Random random)
    {
        var tokens = Tokens(bytes).Where(t => t.Type != JsonTokenType.PropertyName).ToList();
        if (tokens.Count == 0)
        {
            return (bytes, "no value to swap");
        }
        var t = tokens[random.Next(tokens.Count)];
        var with = Values[random.Next(Values.Length)];
        return (Splice(bytes, t.Start, t.ValueLength, Encoding.UTF8.GetBytes(with)), $"{t.Type} at {t.Start} := {with}");
    }

    private static (byte[], string) InsertField(byte[] bytes, Random random)
    {
        var objects = Tokens(bytes).Where(t => t.Type == JsonTokenType.StartObject).ToList();
        if (objects.Count == 0)
        {
            return (bytes, "no object to insert into");
        }
        var t = objects[random.Next(objects.Count)];
        var key = Words[random.Next(Words.Length)];
        var value = random.Next(2) == 0 ? Values[random.Next(Values.Length)] : Numbers[random.Next(Numbers.Length)];
        var property = $"{JsonSerializer.Serialize(key)}: {value}, ";
        return (Splice(bytes, t.Start + 1, 0, Encoding.UTF8.GetBytes(property)), $"insert {property}at {t.Start + 1}");
    }

    private static (byte[], string) CopyValue(byte[] bytes, Random random)
    {
        var tokens = Tokens(bytes).Where(t => t.Type != JsonTokenType.PropertyName).ToList();
        if (tokens.Count < 2)
        {
            return (bytes, "no value to copy");
        }
        var from = tokens[random.Next(tokens.Count)];
        var to = tokens[random.Next(tokens.Count)];
        if (to.Start >= from.Start && to.Start < from.Start + from.ValueLength)
        {
            return (bytes, "copy into itself skipped");
        }
        var value = bytes.AsSpan(from.Start, from.ValueLength).ToArray();
        return (Splice(bytes, to.Start, to.ValueLength, value), $"copy {from.Type} at {from.Start} over {to.Type} at {to.Start}");
    }

    /// <summary>
    /// A change of structure that keeps the profile valid JSON, to reach the resolver and the
    /// compiler with programs the corpus does not make: a rule cloned with another action
    /// (libseccomp's conflicts), random rules and conditions (one index twice: runc's split),
    /// another default, other arches, and now and then hundreds of rules (long jumps, 4096).
    /// </summary>
    private static (byte[], string) Restructure(byte[] bytes, Random random)
    {
        try
        {
            return RestructureJson(bytes, random);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException)
        {
            // JsonNode reads lazily: strings that are not UTF-8 and repeated keys fail only then.
            return SwapType(bytes, random);
        }
    }

    private static (byte[], string) RestructureJson(byte[] bytes, Random random)
    {
        if (JsonNode.Parse(bytes) is not JsonObject root)
        {
            return SwapType(bytes, random);
        }
        if (root["syscalls"] is not JsonArray rules)
        {
            root["syscalls"] = rules = [];
        }
        string what;
        switch (random.Next(10))
        {
            case 0 or 1 when rules.Count > 0:
                var clone = rules[random.Next(rules.Count)]?.DeepClone();
                if (clone is JsonObject cloned)
                {
                    cloned["action"] = RandomAction(random);
                }
                rules.Insert(random.Next(rules.Count + 1), clone);
                what = "clone a rule with another action";
                break;
            case 2 or 3 when rules.Count > 0 && rules[random.Next(rules.Count)] is JsonObject rule:
                if (rule["args"] is not JsonArray args)
                {
                    rule["args"] = args = [];
                }
                args.Add(RandomCondition(random));
                what = "add a condition";
                break;
            case 4:
                root["defaultAction"] = RandomAction(random);
                what = "another default action";
                break;
            case 5:
                root.Remove("archMap");
                root["architectures"] = new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => (JsonNode)ProfileReader.KnownScmpArches[random.Next(6)])]);
                what = "other architectures";
                break;
            case 6 when random.Next(8) == 0:
                var many = 100 + random.Next(900);
                for (var i = 0; i < many; i++)
                {
                    rules.Add(RandomRule(random));
                }
                what = $"add {many} rules";
                break;
            default:
                rules.Insert(random.Next(rules.Count + 1), RandomRule(random));
                what = "add a rule";
                break;
        }
        return (Encoding.UTF8.GetBytes(root.ToJsonString()), what);
    }

    private static JsonObject RandomRule(Random random)
    {
        var names = Families[0];
        var rule = new JsonObject
        {
            ["names"] = new JsonArray([.. Enumerable.Range(0, 1 + random.Next(4)).Select(_ => (JsonNode)names[random.Next(names.Length)])]),
            ["action"] = RandomAction(random),
        };
        var conditions = random.Next(4);
        if (conditions > 0)
        {
            rule["args"] = new JsonArray([.. Enumerable.Range(0, conditions).Select(_ => (JsonNode)RandomCondition(random))]);
        }
        if (random.Next(4) == 0)
        {
            rule["errnoRet"] = random.Next(4096);
        }
        return rule;
    }

    private static JsonObject RandomCondition(Random random) => new()
    {
        ["index"] = random.Next(6),
        ["value"] = Interesting[random.Next(Interesting.Length)],
        ["valueTwo"] = Interesting[random.Next(Interesting.Length)],
        ["op"] = Families[2][random.Next(Families[2].Length)],
    };

    private static string RandomAction(Random random)
    {
        // NOTIFY is rarely valid (never as default, never on write); keep it rare.
        var actions = Families[1];
        var action = actions[random.Next(actions.Length)];
        return action == "SCMP_ACT_NOTIFY" && random.Next(3) != 0 ? "SCMP_ACT_ALLOW" : action;
    }

    private static string RandomName(Random random)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var chars = new char[random.Next(1, 24)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = letters[random.Next(letters.Length)];
        }
        return new string(chars);
    }

    private static byte[] Splice(byte[] bytes, int start, int length, byte[] with) =>
        [.. bytes.AsSpan(0, start), .. with, .. bytes.AsSpan(start + length)];

    /// <summary>A token of the document: where it starts, its own length, and the length of the whole value it starts.</summary>
    private readonly record struct Token(JsonTokenType Type, int Start, int Length, int ValueLength);

    /// <summary>The tokens of a document, as far as it is valid JSON (mutants stop being so).</summary>
    private static List<Token> Tokens(byte[] bytes)
    {
        var tokens = new List<Token>();
        var open = new Stack<int>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 10_000 });
        try
        {
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                // ValueSpan is the raw (still escaped) text; a string's quotes are outside it.
                var length = reader.ValueSpan.Length + (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? 2 : 0);
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push(tokens.Count);
                        tokens.Add(new Token(reader.TokenType, start, 1, 1));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var opened = open.Pop();
                        tokens[opened] = tokens[opened] with { ValueLength = (int)reader.BytesConsumed - tokens[opened].Start };
                        break;
                    default:
                        tokens.Add(new Token(reader.TokenType, start, length, length));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The rest is not JSON: mutate what was.
        }
        // Containers left open by a truncation end at the end of the bytes.
        while (open.Count > 0)
        {
            var opened = open.Pop();
            tokens[opened] = tokens[opened] with { ValueLength = bytes.Length - tokens[opened].Start };
        }
        return tokens;
    }

    private static string Excerpt(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).ReplaceLineEndings(" ");
        return text.Length <= 400 ? text : text[..400] + "…";
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
