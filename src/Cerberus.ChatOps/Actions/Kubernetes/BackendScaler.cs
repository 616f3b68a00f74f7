using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Timing;
using k8s;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// The Kubernetes side of scaling the backend, shared by the two actions: read the scale (never assume 3), notice an
/// HPA, send the one merge PATCH to <c>deployments/scale</c>, and wait with a deadline for the pods to be gone or the
/// rollout to be available, reporting progress.
/// </summary>
internal sealed partial class BackendScaler(KubernetesAccess access, TimeProvider time, ILogger<BackendScaler> logger)
{
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";

    public KubernetesOptions Options => access.Options;

    public string Namespace => Options.Namespace;

    public string DeploymentName => Options.BackendDeployment;

    public string Target => $"deployment {Namespace}/{DeploymentName}";

    public bool TryGetClient(out IKubernetes client, out string reason)
    {
        if (access.TryGetClient(out var c, out var r))
        {
            client = c;
            reason = string.Empty;
            return true;
        }

        client = null!;
        reason = r;
        return false;
    }

    public static string PatchBody(int replicas) => "{\"spec\":{\"replicas\":" + replicas.ToString(CultureInfo.InvariantCulture) + "}}";

    /// <summary>Exactly what runs, as the approval card shows it.</summary>
    public string Describe(int replicas) => $"PATCH apps/v1 namespaces/{Namespace}/deployments/{DeploymentName}/scale {PatchBody(replicas)}";

    /// <summary>Reads the deployment, its scale and the HPA; null when the deployment does not exist.</summary>
    public async Task<BackendState?> ReadAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        V1Deployment deployment;
        V1Scale scale;
        try
        {
            scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync(DeploymentName, Namespace, cancellationToken: cancellationToken);
            deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(DeploymentName, Namespace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            return null;
        }

        V2HorizontalPodAutoscaler? hpa = null;
        string? note = null;
        try
        {
            var hpas = await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(Namespace, cancellationToken: cancellationToken);
            hpa = hpas.Items.FirstOrDefault(h =>
                string.Equals(h.Spec?.ScaleTargetRef?.Kind, "Deployment", StringComparison.Ordinal)
                && string.Equals(h.Spec?.ScaleTargetRef?.Name, DeploymentName, StringComparison.Ordinal));
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            note = "whether an HPA targets it is unknown (" + KubernetesErrors.Describe(ex, "horizontalpodautoscalers list") + ")";
        }

        return new BackendState(deployment, scale.Spec?.Replicas ?? 0, hpa, note);
    }

    /// <summary>
    /// What a backend proposal starts from: the client and the deployment's state, or why there is none (Kubernetes
    /// off, the read failed, the deployment does not exist), as a not-applicable sentence.
    /// </summary>
    public async Task<(IKubernetes? Client, BackendState? State, string? Problem)> ReadForProposalAsync(CancellationToken cancellationToken)
    {
        if (!TryGetClient(out var client, out var reason))
        {
            return (null, null, reason);
        }

        try
        {
            return await ReadAsync(client, cancellationToken) is { } state ? (client, state, null) : (client, null, $"{Target} does not exist");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return (client, null, $"Cannot read {Target}: {KubernetesErrors.Describe(ex, "deployments get, deployments/scale get")}");
        }
    }

    public async Task<string> FingerprintAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var d = await client.AppsV1.ReadNamespacedDeploymentAsync(DeploymentName, Namespace, cancellationToken: cancellationToken);
        return BackendState.Of(d.Spec?.Replicas ?? 0, d.Metadata?.Generation ?? 0);
    }

    /// <summary>
    /// The fingerprint the engine compares with the proposal's, re-read just before execution. When the deployment
    /// cannot be read, an "unreadable: …" text that never equals a fingerprint: nothing runs on a state nobody can see.
    /// </summary>
    public async Task<string> ObserveAsync(CancellationToken cancellationToken)
    {
        if (!TryGetClient(out var client, out var reason))
        {
            return reason;
        }

        try
        {
            return await FingerprintAsync(client, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return "unreadable: " + KubernetesErrors.Describe(ex, "deployments get");
        }
    }

    /// <summary>
    /// Re-read just before the PATCH: the same deployment (namespace and name the approval named) with the replicas
    /// and generation it showed. Null when they match; otherwise a <see cref="ActionOutcome.StateChanged"/> outcome
    /// (nothing was sent). Read failures other than 404 propagate to the caller's handling.
    /// </summary>
    public async Task<ActionOutcome?> RecheckAsync(IKubernetes client, ActionRecord action, int replicasBefore, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        string fingerprint;
        try
        {
            fingerprint = await FingerprintAsync(client, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            fingerprint = "absent";
        }

        var approved = $"{action.Parameters.GetValueOrDefault(ScaleParameters.Namespace)}/{action.Parameters.GetValueOrDefault(ScaleParameters.Deployment)} {action.ObservedFingerprint}";
        var observed = $"{Namespace}/{DeploymentName} {fingerprint}";
        if (string.Equals(approved, observed, StringComparison.Ordinal))
        {
            return null;
        }

        Log.StateChanged(logger, Namespace, DeploymentName, approved, observed);
        progress.Report($"PATCH not sent: the state changed since the approval ({approved} → {observed}).");
        var figures = Figures(replicasBefore, replicasBefore);
        figures[ActionOutcome.SideEffectsDoneFigure] = "0";
        return ActionOutcome.StateChanged(approved, observed, figures);
    }

    public async Task PatchAsync(IKubernetes client, int replicas, CancellationToken cancellationToken)
    {
        var body = PatchBody(replicas);
        Log.Patching(logger, Namespace, DeploymentName, body);
        await client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch(body, V1Patch.PatchType.MergePatch), DeploymentName, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>The pod-template annotation <c>kubectl rollout restart</c> sets; a new value makes the controller roll every pod.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>The strategic merge patch <c>kubectl rollout restart</c> sends, with <paramref name="at"/> in RFC 3339 (UTC).</summary>
    public static string RestartBody(DateTimeOffset at) =>
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RestartedAtAnnotation + "\":\"" + RestartedAt(at) + "\"}}}}}";

    public static string RestartedAt(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Exactly what the rolling restart sends, as the approval card shows it.</summary>
    public string DescribeRestart() =>
        $"PATCH apps/v1 namespaces/{Namespace}/deployments/{DeploymentName} (strategic merge patch, as `kubectl rollout restart`) "
        + "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RestartedAtAnnotation + "\":\"<the time it runs, UTC>\"}}}}}";

    public async Task<V1Deployment> PatchRestartAsync(IKubernetes client, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var body = RestartBody(at);
        Log.Restarting(logger, Namespace, DeploymentName, body);
        return await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), DeploymentName, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>Waits until no pod of the deployment is left (terminating pods keep serving for their grace period).</summary>
    public async Task<ActionOutcome> WaitForPodsGoneAsync(IKubernetes client, IProgress<string> progress, CancellationToken cancellationToken)
    {
        int? last = null;
        var polled = await Poll.UntilAsync(time, Options.RolloutTimeout, Options.RolloutPollInterval, async ct =>
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(DeploymentName, Namespace, cancellationToken: ct);
            var pods = await PostgresPods.PodsMatchingAsync(client, Namespace, deployment, ct);
            if (pods.Count > 0 && last != pods.Count)
            {
                var terminating = pods.Count(p => p.Metadata?.DeletionTimestamp is not null);
                progress.Report($"{DeploymentName}: {pods.Count} pods left ({terminating} terminating)");
                last = pods.Count;
            }

            return (Deployment: deployment, Pods: pods.Count);
        }, seen => seen.Pods == 0, cancellationToken);

        if (polled.Converged)
        {
            progress.Report($"{DeploymentName}: no pods left");
            return ActionOutcome.Success($"{DeploymentName} is at 0 replicas and its pods are gone");
        }

        var (deployment, pods) = polled.Last;
        return ActionOutcome.Failure($"{DeploymentName}: {pods} pods still there after {Durations.Format(Options.RolloutTimeout)} (spec.replicas is {deployment.Spec?.Replicas}); check their terminationGracePeriodSeconds and finalizers");
    }

    /// <summary>
    /// Polls the deployment until the rollout is complete (observedGeneration ≥ generation, updated = available =
    /// spec.replicas), failing on ProgressDeadlineExceeded or at the deadline; reports "2/3 available" as it changes.
    /// </summary>
    public async Task<ActionOutcome> WaitForRolloutAsync(IKubernetes client, int replicas, IProgress<string> progress, CancellationToken cancellationToken)
    {
        string? last = null;
        var polled = await Poll.UntilAsync(time, Options.RolloutTimeout, Options.RolloutPollInterval, async ct =>
        {
            var d = await client.AppsV1.ReadNamespacedDeploymentAsync(DeploymentName, Namespace, cancellationToken: ct);
            var spec = d.Spec?.Replicas ?? 1;
            var observed = (d.Status?.ObservedGeneration ?? 0) >= (d.Metadata?.Generation ?? 0);
            var updated = d.Status?.UpdatedReplicas ?? 0;
            var available = d.Status?.AvailableReplicas ?? 0;
            var total = d.Status?.Replicas ?? 0;
            var line = string.Create(CultureInfo.InvariantCulture, $"{available}/{spec} available");
            if (!string.Equals(line, last, StringComparison.Ordinal))
            {
                progress.Report($"{DeploymentName}: {line}");
                last = line;
            }

            return (Outcome: RolloutOutcome(d, replicas, observed, updated, available, total, line), Line: line, Updated: updated);
        }, seen => seen.Outcome is not null, cancellationToken);

        return polled.Last.Outcome
               ?? ActionOutcome.Failure($"{DeploymentName}: rollout not complete after {Durations.Format(Options.RolloutTimeout)}: {polled.Last.Line}, {polled.Last.Updated} updated");
    }

    public static Dictionary<string, string> Figures(int before, int after) => new(StringComparer.Ordinal)
    {
        [ActionFigureKeys.ReplicasBefore] = before.ToString(CultureInfo.InvariantCulture),
        [ActionFigureKeys.ReplicasAfter] = after.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The rollout's end, when this read shows one: done, stuck, or spec.replicas changed by someone else; null while it goes on.</summary>
    private ActionOutcome? RolloutOutcome(V1Deployment d, int replicas, bool observed, int updated, int available, int total, string line)
    {
        var spec = d.Spec?.Replicas ?? 1;
        if (spec != replicas)
        {
            return ActionOutcome.Failure($"{DeploymentName}: spec.replicas is {spec}, not {replicas}: something else (an HPA, a deploy) changed it while waiting");
        }

        var stuck = d.Status?.Conditions?.FirstOrDefault(c =>
            string.Equals(c.Type, "Progressing", StringComparison.Ordinal) && string.Equals(c.Reason, ProgressDeadlineExceeded, StringComparison.Ordinal));
        if (observed && stuck is not null)
        {
            return ActionOutcome.Failure($"{DeploymentName}: rollout failed ({ProgressDeadlineExceeded}: {SecretRedactor.Redact(stuck.Message)}); {line}");
        }

        return observed && updated == spec && total == updated && available == updated
            ? ActionOutcome.Success($"{DeploymentName}: {line}")
            : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Scaling: PATCH apps/v1 namespaces/{Namespace}/deployments/{Deployment}/scale {Body}")]
        public static partial void Patching(ILogger logger, string @namespace, string deployment, string body);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Scaling {Namespace}/{Deployment} not sent: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string @namespace, string deployment, string approved, string observed);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Rolling restart: PATCH apps/v1 namespaces/{Namespace}/deployments/{Deployment} {Body}")]
        public static partial void Restarting(ILogger logger, string @namespace, string deployment, string body);
    }
}
