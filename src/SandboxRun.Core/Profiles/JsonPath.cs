namespace SandboxRun.Profiles;

/// <summary>
/// Where a value sits in a profile, such as <c>syscalls[12].includes.caps</c>, for
/// <see cref="ProfileReader"/>'s messages. The reader gives a path to nearly every value it
/// visits, on every launch, but reports a few at most, so a path is a small immutable link
/// to its parent and its text is made only when a message asks for it.
/// </summary>
internal sealed class JsonPath
{
    /// <summary>The profile object itself; messages about it carry no path.</summary>
    internal static JsonPath Root { get; } = new(null, null, -1);

    private readonly JsonPath? _parent;
    private readonly string? _field;

    private JsonPath(JsonPath? parent, string? field, int index)
    {
        _parent = parent;
        _field = field;
        Index = index;
    }

    /// <summary>The array index of an item path; -1 for a field or the root.</summary>
    internal int Index { get; }

    internal JsonPath Field(string name) => new(this, name, -1);

    internal JsonPath Item(int index) => new(this, null, index);

    // Not cached: the text is wanted once per message, and a cache would cost every path
    // 8 bytes to save work on the rare one reported twice.
    public override string ToString() =>
        _parent switch
        {
            null => "",
            _ when _field is null => $"{_parent}[{Index}]",
            _ when _parent == Root => _field,
            _ => $"{_parent}.{_field}",
        };
}
