using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SandboxRun.Tests.Support;

namespace SandboxRun.Tests.Lint;

/// <summary>
/// The table of README's "### lint" that says what lint finds in each profile of the shared
/// corpus, read back so that LintSpecs can hold the linter to it. A row is
/// <c>| NAME[, -OTHER]... | CODE N [each] [info|error] [(why)], ... |</c> or <c>| NAME | none |</c>;
/// <c>-OTHER</c> is NAME with its tail replaced (spo-profile-block-all, -block-all-syscalls).
/// </summary>
internal static partial class ReadmeLintTable
{
    /// <summary>One row: the profiles it names, as written, and the count per "code severity".</summary>
    internal sealed record Row(string Profiles, IReadOnlyList<string> Names, SortedDictionary<string, int> Counts);

    internal static string Readme => Path.Combine(Paths.RepoRoot, "README.md");

    internal static List<Row> Read()
    {
        var lines = File.ReadAllLines(Readme);
        var section = Array.IndexOf(lines, "### lint");
        Assert.True(section >= 0, "README.md has no \"### lint\" section");
        var header = Array.FindIndex(lines, section, l => l.StartsWith("| profile | findings", StringComparison.Ordinal));
        Assert.True(header >= 0, "README.md's \"### lint\" has no table of the corpus");
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(ParseRow).ToList();
    }

    /// <summary>
    /// The corpus file of each name of a row; <c>-OTHER</c> replaces the shortest tail of the
    /// first name that gives a file of the corpus. Null for a name that names no file.
    /// </summary>
    internal static IEnumerable<(string Name, string? File)> Files(Row row, string corpus)
    {
        var first = row.Names[0];
        string? FileOf(string name) => File.Exists(Path.Combine(corpus, name + ".json")) ? Path.Combine(corpus, name + ".json") : null;
        yield return (first, FileOf(first));
        foreach (var other in row.Names.Skip(1))
        {
            var file = Enumerable.Range(1, first.Length - 1)
                .Reverse()
                .Where(i => first[i] == '-')
                .Select(i => FileOf(first[..i] + other))
                .FirstOrDefault(f => f is not null);
            yield return (other, file);
        }
    }

    /// <summary>"code severity" as the table counts it: warnings unless marked.</summary>
    internal static string Key(string code, string severity) => $"{code} {severity}";

    private static Row ParseRow(string line)
    {
        var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        Assert.True(cells.Length == 2, $"README lint table: not two cells: {line}");
        var names = cells[0].Split(", ");
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (cells[1] != "none")
        {
            foreach (var item in TopLevelItems(cells[1]))
            {
                var m = Item().Match(item);
                Assert.True(m.Success, $"README lint table: cannot read \"{item}\" in {line}");
                var severity = m.Groups["severity"].Success ? m.Groups["severity"].Value : "warning";
                counts.Add(Key(m.Groups["code"].Value, severity), int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
            }
        }
        return new Row(cells[0], names, counts);
    }

    /// <summary>The items of a findings cell: split at ", " outside parentheses and backticks.</summary>
    private static IEnumerable<string> TopLevelItems(string cell)
    {
        var depth = 0;
        var code = false;
        var item = new StringBuilder();
        for (var i = 0; i < cell.Length; i++)
        {
            var c = cell[i];
            if (c == '`')
            {
                code = !code;
            }
            else if (!code && c == '(')
            {
                depth++;
            }
            else if (!code && c == ')')
            {
                depth--;
            }
            if (depth == 0 && !code && c == ',' && i + 1 < cell.Length && cell[i + 1] == ' ')
            {
                yield return item.ToString();
                item.Clear();
                i++;
                continue;
            }
            item.Append(c);
        }
        yield return item.ToString();
    }

    // CODE N [each] [info|error] [(why)]
    [GeneratedRegex(@"^(?<code>[a-z0-9-]+) (?<n>[0-9]+)( each)?( (?<severity>info|error))?( \(.*\))?$")]
    private static partial Regex Item();
}
