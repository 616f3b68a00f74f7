using System.Net;
using Cerberus.ChatOps.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Moq;

namespace Cerberus.ChatOps.Tests.Kubernetes;

/// <summary>
/// How the Patroni pods are found, with KubernetesClient's own <see cref="IKubernetes"/> as the seam (Moq): the
/// cluster label first, the deployments' selectors otherwise, the leader by its role label — never by deployment name.
/// </summary>
public sealed class PostgresPodsTests
{
    private static readonly KubernetesOptions Options = new();

    [Fact]
    public async Task FindAsync_PodsCarryTheClusterLabel_LeaderByRoleFirstWhateverTheDeployment()
    {
        // arrange: after a failover the pod of postgres-primary is the replica
        var client = Client(pods: new Dictionary<string, V1Pod[]>
        {
            [Options.PatroniClusterLabel] = [Pod("postgres-primary-0", "replica"), Pod("postgres-replica-0", "master")],
        });

        // act
        var pods = await PostgresPods.FindAsync(client.Object, Options, CancellationToken.None);

        // assert
        Assert.Equal(["postgres-replica-0", "postgres-primary-0"], pods.Select(p => p.Name));
        Assert.Equal("postgres-replica-0", PostgresPods.Leader(pods)!.Name);
        client.Verify(k => k.AppsV1, Times.Never);
    }

    [Fact]
    public async Task FindAsync_NoClusterLabel_FallsBackToTheDeploymentSelectorsAndSkipsAMissingDeployment()
    {
        // arrange: no pod carries the cluster label; postgres-replica does not exist
        var client = Client(
            pods: new Dictionary<string, V1Pod[]> { ["app=postgres-primary"] = [Pod("postgres-primary-0", role: null)] },
            deployments: new Dictionary<string, V1Deployment> { [Options.PostgresPrimaryDeployment] = Deployment("app", "postgres-primary") });

        // act
        var pods = await PostgresPods.FindAsync(client.Object, Options, CancellationToken.None);

        // assert
        var pod = Assert.Single(pods);
        Assert.Equal(("postgres-primary-0", "postgres-primary", false), (pod.Name, pod.Deployment, pod.IsLeader));
        Assert.Equal("postgres-primary-0", PostgresPods.Leader(pods)!.Name);
    }

    private static Mock<IKubernetes> Client(Dictionary<string, V1Pod[]> pods, Dictionary<string, V1Deployment>? deployments = null)
    {
        var core = new Mock<ICoreV1Operations>(MockBehavior.Strict);
        core.Setup(c => c.ListNamespacedPodWithHttpMessagesAsync(
                Options.Namespace, It.IsAny<bool?>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<int?>(),
                It.IsAny<string>(), It.IsAny<string>(), It.IsAny<bool?>(), It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<bool?>(),
                It.IsAny<bool?>(), It.IsAny<IReadOnlyDictionary<string, IReadOnlyList<string>>>(), It.IsAny<CancellationToken>()))
            .Returns((string _, bool? _, string _, string _, string labelSelector, int? _, string _, string _, bool? _, string _, int? _, bool? _, bool? _,
                IReadOnlyDictionary<string, IReadOnlyList<string>> _, CancellationToken _) =>
                Task.FromResult(new HttpOperationResponse<V1PodList> { Body = new V1PodList { Items = [.. pods.GetValueOrDefault(labelSelector) ?? []] } }));

        var apps = new Mock<IAppsV1Operations>(MockBehavior.Strict);
        apps.Setup(a => a.ReadNamespacedDeploymentWithHttpMessagesAsync(
                It.IsAny<string>(), Options.Namespace, It.IsAny<bool?>(), It.IsAny<IReadOnlyDictionary<string, IReadOnlyList<string>>>(), It.IsAny<CancellationToken>()))
            .Returns((string name, string _, bool? _, IReadOnlyDictionary<string, IReadOnlyList<string>> _, CancellationToken _) =>
                deployments?.GetValueOrDefault(name) is { } found
                    ? Task.FromResult(new HttpOperationResponse<V1Deployment> { Body = found })
                    : throw new HttpOperationException("not found")
                    {
                        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.NotFound), string.Empty),
                    });

        var client = new Mock<IKubernetes>();
        client.SetupGet(k => k.CoreV1).Returns(core.Object);
        client.SetupGet(k => k.AppsV1).Returns(apps.Object);
        return client;
    }

    private static V1Pod Pod(string name, string? role) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = role is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [PostgresPods.RoleLabel] = role } },
    };

    private static V1Deployment Deployment(string label, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = value },
        Spec = new V1DeploymentSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = value } } },
    };
}
