using System.Buffers;
using System.Text;

namespace SandboxRun.Profiles;

/// <summary>
/// What Go's encoding/json, which Docker uses, does with strings where System.Text.Json
/// differs: how a key matches a field name, and how it reads bytes that are not UTF-8.
/// </summary>
internal static class GoStrings
{
    private const int KelvinSign = 0x212A;
    private const int LongS = 0x017F;

    /// <summary>
    /// encoding/json's case-insensitive key match (fold.go, equal to bytes.EqualFold) for an
    /// ASCII field name: ASCII letters ignore case, and U+212A KELVIN SIGN and U+017F LONG S
    /// fold to k and s, the only non-ASCII runes whose fold orbit holds an ASCII letter.
    /// .NET's OrdinalIgnoreCase differs on both sides: it misses the Kelvin sign and matches
    /// U+0131 DOTLESS I with i.
    /// </summary>
    internal static bool FoldEquals(string asciiField, string key)
    {
        var i = 0;
        foreach (var rune in key.EnumerateRunes())
        {
            if (i >= asciiField.Length)
            {
                return false;
            }
            var k = rune.Value switch
            {
                KelvinSign => 'k',
                LongS => 's',
                < 0x80 => char.ToLowerInvariant((char)rune.Value),
                _ => '\0',
            };
            if (k != char.ToLowerInvariant(asciiField[i++]))
            {
                return false;
            }
        }
        return i == asciiField.Length;
    }

    /// <summary>
    /// Rewrites the strings of a document that already parsed the way Go reads them: each
    /// byte that does not start a valid UTF-8 sequence becomes U+FFFD (utf8.DecodeRune
    /// consumes one byte), and a <c>\uXXXX</c> escape of a surrogate that is not the first
    /// half of a valid pair becomes <c>\uFFFD</c> (decode.go unquote). System.Text.Json parses
    /// both but throws when the string is read. Null when nothing needs rewriting.
    /// </summary>
    internal static byte[]? Sanitize(ReadOnlySpan<byte> json, out int replaced, out int firstOffset)
    {
        replaced = 0;
        firstOffset = -1;
        if (System.Text.Unicode.Utf8.IsValid(json) && json.IndexOf("\\u"u8) < 0)
        {
            return null;
        }
        var output = new ArrayBufferWriter<byte>(json.Length + 16);
        var copiedUpTo = 0;
        var inString = false;
        var i = 0;
        while (i < json.Length)
        {
            var b = json[i];
            if (!inString)
            {
                // The document parsed, so outside strings there is only ASCII.
                inString = b == '"';
                i++;
                continue;
            }
            if (b == '"')
            {
                inString = false;
                i++;
            }
            else if (b == '\\' && json[i + 1] == 'u')
            {
                var unit = Hex4(json.Slice(i + 2, 4));
                if (!char.IsSurrogate((char)unit))
                {
                    i += 6;
                }
                else if (char.IsHighSurrogate((char)unit) && i + 12 <= json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
                    && char.IsLowSurrogate((char)Hex4(json.Slice(i + 8, 4))))
                {
                    i += 12;
                }
                else
                {
                    Replace(json, output, ref copiedUpTo, i, 6, "\\uFFFD"u8, ref replaced, ref firstOffset);
                    i += 6;
                }
            }
            else if (b == '\\')
            {
                i += 2;
            }
            else if (b < 0x80)
            {
                i++;
            }
            else if (System.Text.Rune.DecodeFromUtf8(json[i..], out _, out var length) == OperationStatus.Done)
            {
                i += length;
            }
            else
            {
                Replace(json, output, ref copiedUpTo, i, 1, "\uFFFD"u8, ref replaced, ref firstOffset);
                i++;
            }
        }
        if (replaced == 0)
        {
            return null;
        }
        output.Write(json[copiedUpTo..]);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>1-based line and byte column of an offset, as the invalid-JSON messages give them.</summary>
    internal static (int Line, int Column) LineAndColumn(ReadOnlySpan<byte> json, int offset)
    {
        var before = json[..offset];
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, offset - lastNewline);
    }

    private static void Replace(ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output, ref int copiedUpTo, int at, int length, ReadOnlySpan<byte> with, ref int replaced, ref int firstOffset)
    {
        output.Write(json[copiedUpTo..at]);
        output.Write(with);
        copiedUpTo = at + length;
        if (replaced++ == 0)
        {
            firstOffset = at;
        }
    }

    private static int Hex4(ReadOnlySpan<byte> digits) =>
        int.Parse(Encoding.ASCII.GetString(digits), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
}
