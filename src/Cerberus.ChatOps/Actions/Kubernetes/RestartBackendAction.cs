using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Kubernetes;
using k8s.Models;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// Connection exhaustion without an outage, step two: a rolling restart of the backend, the PATCH that
/// <c>kubectl rollout restart</c> sends (a new <c>restartedAt</c> pod-template annotation), so every pod is replaced
/// one by one and its connection pool starts empty while the others keep serving. Re-reads the deployment (replicas,
/// generation) just before the PATCH, like the scaling actions, and waits until the rollout is complete
/// (observedGeneration, updated = available = replicas). The scale-down stays the last resort.
/// </summary>
internal sealed partial class RestartBackendAction(BackendScaler scaler, TimeProvider time, ILogger<RestartBackendAction> logger) : IRemediationAction
{
    /// <summary>The restartedAt value the PATCH set (a figure, read by verification and reconcile).</summary>
    public const string RestartedAtFigure = "restarted_at";

    public RemediationKind Kind => RemediationKind.RestartBackend;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (_, state, problem) = await scaler.ReadForProposalAsync(cancellationToken);
        if (state is null)
        {
            return ActionProposal.NotApplicable(problem!);
        }

        if (state.Replicas == 0)
        {
            return ActionProposal.NotApplicable($"{scaler.Target} is at 0 replicas: there is nothing to restart (Scale up brings it back).");
        }

        var spec = state.Deployment.Spec;
        if (spec?.Paused == true)
        {
            return ActionProposal.NotApplicable($"{scaler.Target} has its rollout paused (spec.paused): a restart would not progress; resume it first (kubectl rollout resume).");
        }

        var strategy = spec?.Strategy?.Type ?? "RollingUpdate";
        var surge = spec?.Strategy?.RollingUpdate?.MaxSurge?.Value ?? "25%";
        var unavailable = spec?.Strategy?.RollingUpdate?.MaxUnavailable?.Value ?? "25%";
        var notes = new List<string>
        {
            string.Equals(strategy, "Recreate", StringComparison.Ordinal)
                ? "strategy Recreate"
                : $"strategy RollingUpdate (maxSurge {surge}, maxUnavailable {unavailable})",
            "surge pods open their connection pools before the old pods close theirs: at the connection limit new pods may fail to connect and the rollout stalls (ProgressDeadlineExceeded), so terminate the idle-in-transaction sessions first",
        };
        var status = state.Deployment.Status;
        if ((status?.ObservedGeneration ?? 0) < state.Generation || (status?.UpdatedReplicas ?? 0) < state.Replicas)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"a rollout is already in progress ({status?.UpdatedReplicas ?? 0}/{state.Replicas} updated): the restart replaces it"));
        }

        string? risk = null;
        if (string.Equals(strategy, "Recreate", StringComparison.Ordinal))
        {
            risk = $"{scaler.DeploymentName} uses strategy Recreate: every pod stops before the new ones start, so this restart is a full outage of the application while they start.";
        }
        else if (state.Replicas == 1 || string.Equals(unavailable, "100%", StringComparison.Ordinal))
        {
            notes.Add(state.Replicas == 1 ? "one replica: it is replaced only once its successor is available (maxSurge), unless maxUnavailable lets it go first" : "maxUnavailable 100%: every pod may stop at once");
        }

        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = scaler.Target,
            Description = scaler.DescribeRestart() + $", then wait until the rollout is complete ({state.Replicas}/{state.Replicas} updated and available).",
            BasedOn = state.Describe() + "; " + string.Join("; ", notes),
            ObservedFingerprint = state.Fingerprint,
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ScaleParameters.Namespace] = scaler.Namespace,
                [ScaleParameters.Deployment] = scaler.DeploymentName,
                [ScaleParameters.ReplicasBefore] = state.Replicas.ToString(CultureInfo.InvariantCulture),
            },
            Figures = BackendScaler.Figures(state.Replicas, state.Replicas),
            RiskWarning = risk,
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        return ActionProposal.Of(action);
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => scaler.ObserveAsync(cancellationToken);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var replicas = Replicas(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"Dry run: would send {scaler.DescribeRestart()} and wait for {replicas}/{replicas} updated and available; nothing was sent.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var patched = false;
        var at = time.GetUtcNow();
        var figures = BackendScaler.Figures(replicas, replicas);
        figures[RestartedAtFigure] = BackendScaler.RestartedAt(at);
        try
        {
            if (await scaler.RecheckAsync(client, action, replicas, progress, cancellationToken) is { } changed)
            {
                return changed;
            }

            var after = await scaler.PatchRestartAsync(client, at, cancellationToken);
            patched = true;
            progress.Report($"PATCH sent: {scaler.DeploymentName} restartedAt {figures[RestartedAtFigure]} (generation {after.Metadata?.Generation})");
            Log.Restarted(logger, scaler.DeploymentName, replicas);
            var waited = await scaler.WaitForRolloutAsync(client, replicas, progress, cancellationToken);
            return waited with { Summary = $"rolling restart: {waited.Summary}", Figures = figures };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return patched
                ? ActionOutcome.Failure($"The restart PATCH was applied, but waiting for the rollout failed: {KubernetesErrors.Describe(ex, "deployments get")}", figures)
                : ActionOutcome.Failure($"Restarting {scaler.Target} failed: {KubernetesErrors.Describe(ex, "deployments patch")}", BackendScaler.Figures(replicas, replicas));
        }
    }

    /// <summary>The template carries the restartedAt the PATCH set and the rollout of that generation is complete.</summary>
    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing to verify.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        try
        {
            var state = await scaler.ReadAsync(client, cancellationToken);
            if (state is null)
            {
                return ActionOutcome.Failure($"{scaler.Target} no longer exists");
            }

            var annotation = RestartedAt(state.Deployment);
            var expected = action.Figures.GetValueOrDefault(RestartedAtFigure);
            var done = Rollout(state);
            var figures = BackendScaler.Figures(Replicas(action), state.Replicas);
            if (!string.Equals(annotation, expected, StringComparison.Ordinal))
            {
                return ActionOutcome.Failure($"{scaler.DeploymentName}: the pod template's restartedAt is {annotation ?? "absent"}, not the {expected ?? "unknown"} the restart set (another rollout since?)", figures);
            }

            return done is null
                ? ActionOutcome.Success($"{scaler.DeploymentName}: every pod replaced since restartedAt {annotation}; {Counts(state)}", figures)
                : ActionOutcome.Failure($"{scaler.DeploymentName}: the rollout of restartedAt {annotation} is not complete: {done}", figures);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot verify {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments get")}");
        }
    }

    /// <summary>Never PATCHes again: a restartedAt set after the action started means the PATCH went out (then it waits for the rollout).</summary>
    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing was sent.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var replicas = Replicas(action);
        try
        {
            var state = await scaler.ReadAsync(client, cancellationToken);
            if (state is null)
            {
                return ActionOutcome.Failure($"{scaler.Target} no longer exists");
            }

            var annotation = RestartedAt(state.Deployment);
            var applied = annotation is not null && action.StartedAt is { } started
                && DateTimeOffset.TryParse(annotation, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                && at >= started.AddSeconds(-1);
            if (!applied)
            {
                return ActionOutcome.Failure($"The restart PATCH was not applied before the restart of the bot (restartedAt is {annotation ?? "absent"}). Nothing was changed; propose the restart again.", BackendScaler.Figures(replicas, state.Replicas));
            }

            progress.Report($"The restart PATCH was applied before the bot restarted (restartedAt {annotation}); waiting for the rollout");
            var figures = BackendScaler.Figures(replicas, state.Replicas);
            figures[RestartedAtFigure] = annotation!;
            var waited = await scaler.WaitForRolloutAsync(client, state.Replicas, progress, cancellationToken);
            return waited with { Figures = figures };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot reconcile {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments get")}");
        }
    }

    private static string? RestartedAt(V1Deployment deployment) =>
        deployment.Spec?.Template?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(BackendScaler.RestartedAtAnnotation, out var value) ? value : null;

    /// <summary>Null when the rollout of the current generation is complete; otherwise what is missing.</summary>
    private static string? Rollout(BackendState state)
    {
        var s = state.Deployment.Status;
        var observed = s?.ObservedGeneration ?? 0;
        if (observed < state.Generation)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the controller has observed generation {observed} of {state.Generation}");
        }

        return (s?.UpdatedReplicas ?? 0) == state.Replicas && (s?.AvailableReplicas ?? 0) == state.Replicas && (s?.Replicas ?? 0) == state.Replicas
            ? null
            : Counts(state);
    }

    private static string Counts(BackendState state)
    {
        var s = state.Deployment.Status;
        return string.Create(CultureInfo.InvariantCulture,
            $"{s?.UpdatedReplicas ?? 0}/{state.Replicas} updated, {s?.AvailableReplicas ?? 0}/{state.Replicas} available, {s?.Replicas ?? 0} pods, observedGeneration {s?.ObservedGeneration ?? 0} (generation {state.Generation})");
    }

    private static int Replicas(ActionRecord action) =>
        action.Parameters.TryGetValue(ScaleParameters.ReplicasBefore, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Rolling restart of {Deployment} ({Replicas} replicas) sent")]
        public static partial void Restarted(ILogger logger, string deployment, int replicas);
    }
}
