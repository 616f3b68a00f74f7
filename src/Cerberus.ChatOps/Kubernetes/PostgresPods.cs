using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>
/// Finds the Patroni cluster's pods: by the cluster label first (roles from the <c>role</c> label), else by the
/// selectors of the postgres deployments. Never by deployment name alone: after a failover postgres-primary hosts a replica.
/// </summary>
internal static class PostgresPods
{
    public const string RoleLabel = "role";

    public static async Task<IReadOnlyList<PostgresPod>> FindAsync(IKubernetes client, KubernetesOptions options, CancellationToken cancellationToken)
    {
        var byLabel = await client.CoreV1.ListNamespacedPodAsync(options.Namespace, labelSelector: options.PatroniClusterLabel, cancellationToken: cancellationToken);
        if (byLabel.Items.Count > 0)
        {
            return byLabel.Items.Select(p => new PostgresPod(p, RoleOf(p), null)).OrderBy(p => p.IsLeader ? 0 : 1).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        }

        var found = new List<PostgresPod>();
        foreach (var deployment in new[] { options.PostgresPrimaryDeployment, options.PostgresReplicaDeployment })
        {
            foreach (var pod in await PodsOfDeploymentAsync(client, options.Namespace, deployment, cancellationToken))
            {
                found.Add(new PostgresPod(pod, RoleOf(pod), deployment));
            }
        }

        return found
            .OrderBy(p => p.IsLeader ? 0 : 1)
            .ThenBy(p => string.Equals(p.Deployment, options.PostgresPrimaryDeployment, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The pods a deployment's selector matches; empty when the deployment does not exist.</summary>
    public static async Task<IReadOnlyList<V1Pod>> PodsOfDeploymentAsync(IKubernetes client, string @namespace, string deployment, CancellationToken cancellationToken)
    {
        V1Deployment d;
        try
        {
            d = await client.AppsV1.ReadNamespacedDeploymentAsync(deployment, @namespace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            return [];
        }

        return await PodsMatchingAsync(client, @namespace, d, cancellationToken);
    }

    public static async Task<IReadOnlyList<V1Pod>> PodsMatchingAsync(IKubernetes client, string @namespace, V1Deployment deployment, CancellationToken cancellationToken)
    {
        var selector = LabelSelectors.ToQuery(deployment.Spec?.Selector);
        if (selector is null)
        {
            return [];
        }

        var pods = await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: selector, cancellationToken: cancellationToken);
        return pods.Items.ToList();
    }

    /// <summary>The pod to exec df in and read first: the leader by its role label, else the first found.</summary>
    public static PostgresPod? Leader(IReadOnlyList<PostgresPod> pods) => pods.FirstOrDefault(p => p.IsLeader) ?? (pods.Count > 0 ? pods[0] : null);

    /// <summary>The postgres container of a pod: the configured name when the pod has it, else its first container.</summary>
    public static string? ContainerOf(V1Pod pod, string preferred)
    {
        var containers = pod.Spec?.Containers ?? [];
        return containers.Any(c => string.Equals(c.Name, preferred, StringComparison.Ordinal))
            ? preferred
            : containers.FirstOrDefault()?.Name;
    }

    private static string? RoleOf(V1Pod pod) =>
        pod.Metadata?.Labels is { } labels && labels.TryGetValue(RoleLabel, out var role) && !string.IsNullOrWhiteSpace(role) ? role : null;
}
