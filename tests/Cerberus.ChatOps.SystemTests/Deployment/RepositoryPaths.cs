namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>Where the repository's files are, from the test's output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root => Tests.Support.RepositoryFiles.Root;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
