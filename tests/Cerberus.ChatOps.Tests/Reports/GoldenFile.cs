namespace Cerberus.ChatOps.Tests.Reports;

/// <summary>
/// The golden documents in Reports/Golden: their heading structure is what a rendered report must have. Set
/// CERBERUS_UPDATE_GOLDEN=1 to rewrite them from the current rendering (then review the diff).
/// </summary>
internal static class GoldenFile
{
    public static string PathOf(string name) =>
        Path.Combine(RepositoryRoot(), "tests", "Cerberus.ChatOps.Tests", "Reports", "Golden", name);

    public static string Read(string name, string actual)
    {
        var path = PathOf(name);
        if (Environment.GetEnvironmentVariable("CERBERUS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        return File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The Markdown headings (lines starting with #), in order.</summary>
    public static IReadOnlyList<string> Headings(string markdown) =>
        markdown.Split('\n').Where(l => l.StartsWith('#')).Select(l => l.TrimEnd()).ToList();

    public static string RepositoryRoot() => Cerberus.ChatOps.Tests.Support.RepositoryFiles.Root;
}
