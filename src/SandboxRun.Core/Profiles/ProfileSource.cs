using SandboxRun.Errors;

namespace SandboxRun.Profiles;

/// <summary>
/// Where <c>--profile P</c> comes from: a file path, or the name of a profile that ships
/// inside the binary (profiles/*.json, embedded at build time). A path wins when both exist
/// and P contains a slash or ends in .json.
/// </summary>
internal static class ProfileSource
{
    private const string Prefix = "profiles/";

    /// <summary>The built-in profiles, by name (file name without .json), sorted.</summary>
    internal static IReadOnlyList<string> BuiltInNames => EmbeddedProfiles.Names;

    internal static Profile Load(string pathOrName)
    {
        var (source, bytes) = LoadBytes(pathOrName);
        return ProfileReader.Read(source, bytes);
    }

    /// <summary>A profile and the bytes it was read from, for commands that write a copy of it.</summary>
    internal static (Profile Profile, byte[] Json) LoadWithJson(string pathOrName)
    {
        var (source, bytes) = LoadBytes(pathOrName);
        return (ProfileReader.Read(source, bytes), bytes);
    }

    /// <summary>The JSON text of a profile file or built-in profile, and the name messages give it.</summary>
    internal static (string Source, byte[] Bytes) LoadBytes(string pathOrName)
    {
        var looksLikePath = pathOrName.Contains('/') || pathOrName.EndsWith(".json", StringComparison.Ordinal);
        if (looksLikePath || File.Exists(pathOrName))
        {
            return (pathOrName, ProfileReader.ReadBytes(pathOrName));
        }
        if (BuiltInBytes(pathOrName) is { } bytes)
        {
            return (pathOrName, bytes);
        }
        var hint = DidYouMean.Hint(pathOrName, BuiltInNames);
        throw new ProfileException([$"{pathOrName}: no such file, and no built-in profile of that name{hint} (built in: {string.Join(", ", BuiltInNames)})"]);
    }

    /// <summary>A built-in profile's JSON (a copy: the reader keeps what it reads); null when there is none.</summary>
    internal static byte[]? BuiltInBytes(string name) =>
        EmbeddedProfiles.TryGet(name, out var json) ? json.ToArray() : null;
}
