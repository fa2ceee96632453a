using System.Globalization;

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
        var parts = release.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return false;
        }
        var minorDigits = new string(parts[1].TakeWhile(char.IsAsciiDigit).ToArray());
        if (!int.TryParse(minorDigits, NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        version = new KernelVersion(major, minor);
        return true;
    }

    public override string ToString() => $"{Major}.{Minor}";
}
