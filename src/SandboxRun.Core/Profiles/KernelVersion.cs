namespace SandboxRun.Profiles;

/// <summary>A kernel version as moby compares them: major.minor only.</summary>
internal readonly record struct KernelVersion(int Major, int Minor) : IComparable<KernelVersion>
{
    public int CompareTo(KernelVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator >=(KernelVersion a, KernelVersion b) => a.CompareTo(b) >= 0;

    public static bool operator <=(KernelVersion a, KernelVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >(KernelVersion a, KernelVersion b) => a.CompareTo(b) > 0;

    public static bool operator <(KernelVersion a, KernelVersion b) => a.CompareTo(b) < 0;

    /// <summary>
    /// Reads the leading "X.Y" of a version such as <c>6.18.44-fc-v782</c>: what moby's
    /// kernel check takes from uname's release.
    /// </summary>
    internal static bool TryParseRelease(string release, out KernelVersion version)
    {
        version = default;
        var dot = release.IndexOf('.');
        if (dot < 0 || !TryParseDigits(release.AsSpan(0, dot), out var major))
        {
            return false;
        }
        var rest = release.AsSpan(dot + 1);
        var digits = rest.IndexOfAnyExceptInRange('0', '9');
        if (!TryParseDigits(digits < 0 ? rest : rest[..digits], out var minor))
        {
            return false;
        }
        version = new KernelVersion(major, minor);
        return true;
    }

    /// <summary>A non-empty run of ASCII digits that fits an int (no sign, no culture: a launch reads this).</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) || value > (int.MaxValue - (c - '0')) / 10)
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }

    public override string ToString() => $"{Major}.{Minor}";
}
