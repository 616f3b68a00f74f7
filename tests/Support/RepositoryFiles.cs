namespace Cerberus.ChatOps.Tests.Support;

/// <summary>The checkout the tests run from: the folder holding Cerberus.ChatOps.sln, found from the output folder.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cerberus.ChatOps.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    });

    public static string Root => RootFolder.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
