namespace SandboxRun.Policy;

/// <summary>What syscalls that a profile cannot know about get (SPEC.md §4).</summary>
internal enum EnosysMode
{
    /// <summary>runc's stub: numbers above the highest one the profile names, per arch, get ENOSYS.</summary>
    Runc,

    /// <summary>Every number absent from sandboxrun's own tables gets ENOSYS.</summary>
    Known,

    /// <summary>The default action, as libseccomp and crun do.</summary>
    Off,
}
