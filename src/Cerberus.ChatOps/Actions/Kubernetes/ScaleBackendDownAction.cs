using System.Globalization;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Kubernetes;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// The runbook's <c>kubectl scale deployment/cerberus-backend --replicas=0</c>: remembers the current count (never a
/// literal 3) for the undo, notices an HPA, and waits until the backend's pods are gone.
/// </summary>
internal sealed partial class ScaleBackendDownAction(BackendScaler scaler, ILogger<ScaleBackendDownAction> logger) : IRemediationAction
{
    public RemediationKind Kind => RemediationKind.ScaleBackendDown;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        var (_, state, problem) = await scaler.ReadForProposalAsync(cancellationToken);
        if (state is null)
        {
            return ActionProposal.NotApplicable(problem!);
        }

        if (state.Replicas == 0)
        {
            return ActionProposal.NotApplicable($"{scaler.Target} is already at 0 replicas; nothing to scale down");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ScaleParameters.Namespace] = scaler.Namespace,
            [ScaleParameters.Deployment] = scaler.DeploymentName,
            [ScaleParameters.ReplicasBefore] = state.Replicas.ToString(CultureInfo.InvariantCulture),
            [ScaleParameters.ReplicasTarget] = "0",
        };
        var risk = $"Scaling {scaler.DeploymentName} to 0 is a full outage of the application (the RTO clock keeps running). "
            + $"The current count, {state.Replicas}, is remembered; Scale up restores it.";
        if (state.Hpa is { } hpa)
        {
            parameters[ScaleParameters.Hpa] = hpa.Metadata?.Name ?? "?";
            parameters[ScaleParameters.HpaMinReplicas] = state.HpaMin.ToString(CultureInfo.InvariantCulture);
            parameters[ScaleParameters.HpaMaxReplicas] = (state.HpaMax ?? 0).ToString(CultureInfo.InvariantCulture);
            risk += $" HPA {hpa.Metadata?.Name} (min {state.HpaMin}, max {state.HpaMax}) targets this deployment: an HPA does not scale a deployment "
                + "that is at 0 replicas, so it will not bring the backend back by itself, and while replicas are above 0 it may fight a manual count. "
                + $"Scale up restores at least its minReplicas ({state.HpaMin}).";
        }

        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = scaler.Target,
            Description = scaler.Describe(0),
            BasedOn = state.Describe(),
            ObservedFingerprint = state.Fingerprint,
            Parameters = parameters,
            Figures = BackendScaler.Figures(state.Replicas, 0),
            RiskWarning = risk,
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
            UndoKind = RemediationKind.ScaleBackendUp,
        };
        return ActionProposal.Of(action);
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => scaler.ObserveAsync(cancellationToken);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var before = Before(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"Dry run: would send {scaler.Describe(0)} and wait until the pods are gone; nothing was sent.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var patched = false;
        try
        {
            if (await scaler.RecheckAsync(client, action, before, progress, cancellationToken) is { } changed)
            {
                return changed;
            }

            await scaler.PatchAsync(client, 0, cancellationToken);
            patched = true;
            progress.Report($"PATCH sent: {scaler.DeploymentName} replicas {before} → 0");
            Log.Scaled(logger, scaler.DeploymentName, before);
            var waited = await scaler.WaitForPodsGoneAsync(client, progress, cancellationToken);
            return waited with { Figures = BackendScaler.Figures(before, 0) };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return patched
                ? ActionOutcome.Failure($"The PATCH to 0 was applied, but waiting for {scaler.DeploymentName}'s pods failed: {KubernetesErrors.Describe(ex, "deployments get, pods list")}", BackendScaler.Figures(before, 0))
                : ActionOutcome.Failure($"Scaling {scaler.Target} to 0 failed: {KubernetesErrors.Describe(ex, "deployments/scale patch")}", BackendScaler.Figures(before, before));
        }
    }

    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
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

            var pods = await PostgresPods.PodsMatchingAsync(client, scaler.Namespace, state.Deployment, cancellationToken);
            var before = Before(action);
            return state.Replicas == 0 && pods.Count == 0
                ? ActionOutcome.Success($"{scaler.DeploymentName}: {before} → 0 replicas, no pods left", BackendScaler.Figures(before, 0))
                : ActionOutcome.Failure($"{scaler.DeploymentName}: spec.replicas is {state.Replicas} and {pods.Count} pods are left (expected 0 and 0)", BackendScaler.Figures(before, state.Replicas));
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot verify {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments get, pods list")}");
        }
    }

    /// <summary>Reads the scale and decides; never sends the PATCH again.</summary>
    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing was sent.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        var before = Before(action);
        try
        {
            var state = await scaler.ReadAsync(client, cancellationToken);
            if (state is null)
            {
                return ActionOutcome.Failure($"{scaler.Target} no longer exists");
            }

            if (state.Replicas == 0)
            {
                progress.Report($"The PATCH to 0 was applied before the restart; waiting for {scaler.DeploymentName}'s pods to be gone");
                var waited = await scaler.WaitForPodsGoneAsync(client, progress, cancellationToken);
                return waited with { Figures = BackendScaler.Figures(before, 0) };
            }

            return state.Replicas == before
                ? ActionOutcome.Failure($"The PATCH was not applied before the restart: {scaler.DeploymentName} still has {before} replicas. Nothing was changed; propose the scale-down again.", BackendScaler.Figures(before, before))
                : ActionOutcome.Failure($"{scaler.DeploymentName} now has {state.Replicas} replicas (neither {before} nor 0): someone else changed it. Nothing was done.", BackendScaler.Figures(before, state.Replicas));
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot reconcile {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments/scale get")}");
        }
    }

    private static int Before(ActionRecord action) =>
        action.Parameters.TryGetValue(ScaleParameters.ReplicasBefore, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Scaled {Deployment} from {Before} to 0 replicas")]
        public static partial void Scaled(ILogger logger, string deployment, int before);
    }
}
