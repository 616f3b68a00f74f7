using k8s;

namespace Cerberus.ChatOps.SystemTests.Deployment;

/// <summary>
/// Renders the manifests once per test class with the real <c>kubectl kustomize</c> (offline) and loads the objects
/// with KubernetesClient's YAML loader: the base, the postgres-store overlay, the base plus the exec and SQLite-PVC
/// components, and the base plus the two disk components that need cluster-scoped grants (volume expansion, kubelet stats).
/// </summary>
public sealed class RenderedManifests : IAsyncLifetime
{
    private string? _componentsDirectory;
    private string? _diskComponentsDirectory;

    public IReadOnlyList<object> Base { get; private set; } = [];

    public IReadOnlyList<object> PostgresStore { get; private set; } = [];

    public IReadOnlyList<object> WithComponents { get; private set; } = [];

    /// <summary>The base plus the optional fence-stale-primary component alone (its rule is checked against the base's).</summary>
    public IReadOnlyList<object> WithFence { get; private set; } = [];

    private string? _fenceDirectory;

    /// <summary>The base with components/volume-expansion and components/kubelet-volume-stats.</summary>
    public IReadOnlyList<object> WithDiskComponents { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Base = await RenderAsync(RepositoryPaths.Combine("manifests"));
        PostgresStore = await RenderAsync(RepositoryPaths.Combine("manifests", "overlays", "postgres-store"));

        // Components are only rendered as part of a kustomization: a throw-away one next to the repository's files
        // (kustomize wants relative paths).
        _componentsDirectory = Directory.CreateTempSubdirectory("cerberus-kustomize-").FullName;
        string Relative(params string[] parts) => Path.GetRelativePath(_componentsDirectory, RepositoryPaths.Combine(parts)).Replace('\\', '/');
        await File.WriteAllTextAsync(Path.Combine(_componentsDirectory, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {Relative("manifests", "base")}
            components:
              - {Relative("manifests", "components", "exec-disk-probe")}
              - {Relative("manifests", "components", "sqlite-pvc")}
            """);
        WithComponents = await RenderAsync(_componentsDirectory);

        _fenceDirectory = Directory.CreateTempSubdirectory("cerberus-kustomize-").FullName;
        string FromFence(params string[] parts) => Path.GetRelativePath(_fenceDirectory, RepositoryPaths.Combine(parts)).Replace('\\', '/');
        await File.WriteAllTextAsync(Path.Combine(_fenceDirectory, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {FromFence("manifests", "base")}
            components:
              - {FromFence("manifests", "components", "fence-stale-primary")}
            """);
        WithFence = await RenderAsync(_fenceDirectory);

        _diskComponentsDirectory = Directory.CreateTempSubdirectory("cerberus-kustomize-").FullName;
        string FromDisk(params string[] parts) => Path.GetRelativePath(_diskComponentsDirectory, RepositoryPaths.Combine(parts)).Replace('\\', '/');
        await File.WriteAllTextAsync(Path.Combine(_diskComponentsDirectory, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {FromDisk("manifests", "base")}
            components:
              - {FromDisk("manifests", "components", "volume-expansion")}
              - {FromDisk("manifests", "components", "kubelet-volume-stats")}
            """);
        WithDiskComponents = await RenderAsync(_diskComponentsDirectory);
    }

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { _componentsDirectory, _fenceDirectory, _diskComponentsDirectory }.OfType<string>())
        {
            Directory.Delete(directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    public static async Task<IReadOnlyList<object>> RenderAsync(string directory)
    {
        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync(
            "kubectl", ["kustomize", directory], RepositoryPaths.Root, TimeSpan.FromMinutes(1),
            "install kubectl (it renders the manifests offline with `kubectl kustomize`)");
        if (exitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"kubectl kustomize {directory} failed: {stderr.Trim()}");
        }

        return KubernetesYaml.LoadAllFromString(stdout);
    }
}
