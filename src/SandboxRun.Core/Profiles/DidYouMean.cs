namespace SandboxRun.Profiles;

/// <summary>Suggests the known word closest to a misspelling (Levenshtein distance).</summary>
internal static class DidYouMean
{
    /// <summary>
    /// The closest candidate within a third of the word's length, or null. Names of one
    /// family share a prefix (SCMP_ARCH_, SECCOMP_FILTER_FLAG_) that says nothing about how
    /// close two of them are, so the third is taken of the rest of the word. Fix: with the
    /// prefix counted, "SCMP_ARCH_NATIVE" got "did you mean SCMP_ARCH_ARM?" and
    /// "SECCOMP_FILTER_FLAG_NEW_LISTENER" "did you mean SECCOMP_FILTER_FLAG_TSYNC?".
    /// </summary>
    internal static string? Suggest(string word, IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in list)
        {
            var d = Distance(word.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }
        if (best is null)
        {
            return null;
        }
        var prefix = list.Count > 1 ? CommonPrefix(list) : "";
        var rest = word.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? word.Length - prefix.Length : word.Length;
        if (bestDistance <= Math.Max(2, rest / 3))
        {
            return best;
        }
        // A name with a tail added or cut off ("SCMP_ACT_ERRNO(1)", "SCMP_CMP_EQUAL") is still that name.
        var tail = word.StartsWith(best, StringComparison.OrdinalIgnoreCase) || best.StartsWith(word, StringComparison.OrdinalIgnoreCase);
        return tail && bestDistance <= 3 ? best : null;
    }

    /// <summary><c> (did you mean X?)</c>, or nothing.</summary>
    internal static string Hint(string word, IEnumerable<string> candidates) =>
        Suggest(word, candidates) is { } s ? $" (did you mean {s}?)" : "";

    private static string CommonPrefix(List<string> words)
    {
        var length = words.Min(w => w.Length);
        for (var i = 0; i < length; i++)
        {
            var c = char.ToUpperInvariant(words[0][i]);
            if (words.Any(w => char.ToUpperInvariant(w[i]) != c))
            {
                return words[0][..i];
            }
        }
        return words[0][..length];
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
