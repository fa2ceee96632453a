namespace SandboxRun.Tests.Support;

/// <summary>Compares message lines as one text, so that a failure shows the whole lines that differ.</summary>
internal static class Lines
{
    internal static void Equal(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
}
