using System.Globalization;
using SandboxRun.Arch;
using SandboxRun.Errors;
using SandboxRun.Profiles;

namespace SandboxRun.Policy;

/// <summary>
/// A syscall as <c>check</c> takes it: <c>name</c>, <c>name(a0, a1, …)</c> with decimal,
/// negative or 0x-hex values, or <c>nr:N</c>; an ABI prefix (<c>x86:</c>, <c>x32:</c>,
/// <c>arm:</c>) asks about a compat ABI instead of the machine's main one.
/// </summary>
internal sealed record SyscallQuery(string Text, Arch.Arch Abi, uint Number, string Name, ulong[] Args, int ArgCount)
{
    internal uint AuditArch => Abi.AuditArch;

    internal static SyscallQuery Parse(string text, TargetArch target)
    {
        var rest = text.Trim();
        var abi = target.Main;
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var paren = rest.IndexOf('(', StringComparison.Ordinal);
        if (colon > 0 && (paren < 0 || colon < paren) && !rest.StartsWith("nr:", StringComparison.Ordinal))
        {
            var prefix = rest[..colon];
            abi = target.AllArches.FirstOrDefault(a => a.Name.Equals(prefix, StringComparison.OrdinalIgnoreCase) || (prefix == "i386" && a == Arch.Arch.X86))
                ?? throw Bad(text, $"\"{prefix}\" is not an ABI of {target.Name} ({string.Join(", ", target.AllArches.Select(a => a.Name))})");
            rest = rest[(colon + 1)..];
            paren = rest.IndexOf('(', StringComparison.Ordinal);
        }

        var head = paren < 0 ? rest : rest[..paren];
        var args = new ulong[6];
        var argCount = 0;
        if (paren >= 0)
        {
            if (!rest.EndsWith(')'))
            {
                throw Bad(text, "missing \")\"");
            }
            var inner = rest[(paren + 1)..^1];
            var values = inner.Trim().Length == 0 ? [] : inner.Split(',');
            if (values.Length > 6)
            {
                throw Bad(text, $"{values.Length} arguments: a syscall has at most 6");
            }
            argCount = values.Length;
            for (var i = 0; i < values.Length; i++)
            {
                args[i] = ParseValue(values[i].Trim()) ?? throw Bad(text, $"argument {i} \"{values[i].Trim()}\" is not a number (decimal, -N or 0x hex)");
            }
        }

        uint number;
        string name;
        if (head.StartsWith("nr:", StringComparison.Ordinal))
        {
            if (!uint.TryParse(head[3..], NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                number = ParseValue(head[3..]) is { } v && v <= uint.MaxValue ? (uint)v : throw Bad(text, "nr: takes a number");
            }
            name = abi.NameOf(number) ?? $"nr:{number}";
        }
        else
        {
            name = head.Trim();
            if (!abi.TryGetNumber(name, out number))
            {
                var elsewhere = Arch.Arch.All.Where(a => a.Knows(name)).Select(a => a.Name).ToList();
                var hint = elsewhere.Count > 0
                    ? $" (it exists on {string.Join(", ", elsewhere)})"
                    : DidYouMean.Hint(name, abi.Table.Select(e => e.Name));
                throw Bad(text, $"{abi.Name} has no syscall \"{name}\"{hint}");
            }
        }
        return new SyscallQuery(text, abi, number, name, args, argCount);
    }

    private static ulong? ParseValue(string s)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) ? hex : null;
        }
        if (s.StartsWith('-'))
        {
            return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var neg) ? unchecked((ulong)neg) : null;
        }
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) ? dec : null;
    }

    private static UsageException Bad(string text, string why) => new($"check: \"{text}\": {why}");
}
