using System.Globalization;
using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Kubernetes;

namespace Cerberus.ChatOps.Actions.Kubernetes;

/// <summary>
/// The runbook's <c>kubectl scale deployment/cerberus-backend --replicas=3</c>, with the count the scale-down
/// remembered instead of 3 (<see cref="ScaleParameters.ReplicasArgument"/>), at least an HPA's minReplicas; waits for
/// the rollout, then checks the application's health URL.
/// </summary>
internal sealed partial class ScaleBackendUpAction(BackendScaler scaler, AppHealthProbe appHealth, ILogger<ScaleBackendUpAction> logger) : IRemediationAction
{
    public RemediationKind Kind => RemediationKind.ScaleBackendUp;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionProposal.NotApplicable(reason);
        }

        int? remembered = null;
        if (request.Arguments.TryGetValue(ScaleParameters.ReplicasArgument, out var text) && !string.IsNullOrWhiteSpace(text))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return ActionProposal.NotApplicable($"replicas='{(text.Length > 12 ? text[..12] : text)}' is not a positive replica count");
            }

            remembered = n;
        }

        BackendState? state;
        try
        {
            state = await scaler.ReadAsync(client, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionProposal.NotApplicable($"Cannot read {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments get, deployments/scale get")}");
        }

        if (state is null)
        {
            return ActionProposal.NotApplicable($"{scaler.Target} does not exist");
        }

        int target;
        string source;
        var notes = new List<string>();
        if (remembered is { } r)
        {
            target = r;
            source = "remembered";
            if (state.Hpa is not null && state.HpaMin > r)
            {
                target = state.HpaMin;
                source = "remembered_raised_to_hpa_min";
                notes.Add($"the remembered count {r} is below the HPA's minReplicas {state.HpaMin}, so {state.HpaMin} is restored");
            }
        }
        else if (state.Hpa is not null)
        {
            target = state.HpaMin;
            source = "hpa_min";
            notes.Add($"no scale-down of this incident remembered a count; using the HPA's minReplicas {state.HpaMin}");
        }
        else
        {
            return ActionProposal.NotApplicable(
                $"No replica count to restore: no successful scale-down of {scaler.DeploymentName} in this incident is waiting for its undo, "
                + "and no HPA gives a minimum. The bot does not guess (the runbook's literal 3 may be wrong).");
        }

        if (state.Hpa is { } hpa)
        {
            notes.Add($"HPA {hpa.Metadata?.Name} (min {state.HpaMin}, max {state.HpaMax}) targets it: it does not act on a deployment at 0 replicas and takes over again once replicas are above 0; it may then change the count");
            if (state.HpaMax is { } max && target > max)
            {
                notes.Add($"{target} is above the HPA's maxReplicas {max}: the HPA will scale it down to {max}");
            }
        }

        if (state.Replicas == target)
        {
            notes.Add($"it already has {target} replicas: the PATCH changes nothing and closes the undo");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ScaleParameters.Namespace] = scaler.Namespace,
            [ScaleParameters.Deployment] = scaler.DeploymentName,
            [ScaleParameters.ReplicasBefore] = state.Replicas.ToString(CultureInfo.InvariantCulture),
            [ScaleParameters.ReplicasTarget] = target.ToString(CultureInfo.InvariantCulture),
            [ScaleParameters.TargetSource] = source,
        };
        if (state.Hpa is not null)
        {
            parameters[ScaleParameters.Hpa] = state.Hpa.Metadata?.Name ?? "?";
            parameters[ScaleParameters.HpaMinReplicas] = state.HpaMin.ToString(CultureInfo.InvariantCulture);
            parameters[ScaleParameters.HpaMaxReplicas] = (state.HpaMax ?? 0).ToString(CultureInfo.InvariantCulture);
        }

        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = scaler.Target,
            Description = scaler.Describe(target),
            BasedOn = state.Describe() + (notes.Count == 0 ? string.Empty : "; " + string.Join("; ", notes)),
            ObservedFingerprint = state.Fingerprint,
            Parameters = parameters,
            Figures = BackendScaler.Figures(state.Replicas, target),
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
        var (before, target) = Counts(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success($"Dry run: would send {scaler.Describe(target)} and wait for {target}/{target} available; nothing was sent.");
        }

        if (!scaler.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        if (target < 1)
        {
            return ActionOutcome.Failure("The proposal has no replica count to restore; nothing was sent.");
        }

        var patched = false;
        try
        {
            if (await scaler.RecheckAsync(client, action, before, progress, cancellationToken) is { } changed)
            {
                return changed;
            }

            await scaler.PatchAsync(client, target, cancellationToken);
            patched = true;
            progress.Report($"PATCH sent: {scaler.DeploymentName} replicas {before} → {target}");
            Log.Scaled(logger, scaler.DeploymentName, before, target);
            var waited = await scaler.WaitForRolloutAsync(client, target, progress, cancellationToken);
            return waited with { Figures = BackendScaler.Figures(before, target) };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return patched
                ? ActionOutcome.Failure($"The PATCH to {target} was applied, but waiting for the rollout failed: {KubernetesErrors.Describe(ex, "deployments get")}", BackendScaler.Figures(before, target))
                : ActionOutcome.Failure($"Scaling {scaler.Target} to {target} failed: {KubernetesErrors.Describe(ex, "deployments/scale patch")}", BackendScaler.Figures(before, before));
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

        var (before, target) = Counts(action);
        BackendState? state;
        try
        {
            state = await scaler.ReadAsync(client, cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot verify {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments get")}");
        }

        if (state is null)
        {
            return ActionOutcome.Failure($"{scaler.Target} no longer exists");
        }

        var figures = BackendScaler.Figures(before, state.Replicas);
        if (state.Replicas != target || state.Available < target)
        {
            return ActionOutcome.Failure($"{scaler.DeploymentName}: {state.Available}/{state.Replicas} available, expected {target}/{target}", figures);
        }

        var health = await appHealth.RunAsync(cancellationToken);
        var counts = $"{scaler.DeploymentName}: {before} → {target} replicas, {state.Available}/{target} available";
        if (health.Status == ProbeStatus.Unknown && !health.Facts.ContainsKey(FactKeys.AppHttpStatus))
        {
            return ActionOutcome.Success($"{counts}; health not checked: {health.Summary}", figures);
        }

        return health.Facts.TryGetValue(FactKeys.AppHttpStatus, out var code) && string.Equals(code, "200", StringComparison.Ordinal)
            ? ActionOutcome.Success($"{counts}; {health.Summary}", figures)
            : ActionOutcome.Failure($"{counts}, but the application is not healthy: {health.Summary}", figures);
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

        var (before, target) = Counts(action);
        try
        {
            var state = await scaler.ReadAsync(client, cancellationToken);
            if (state is null)
            {
                return ActionOutcome.Failure($"{scaler.Target} no longer exists");
            }

            if (state.Replicas == target)
            {
                progress.Report($"The PATCH to {target} was applied before the restart; waiting for the rollout");
                var waited = await scaler.WaitForRolloutAsync(client, target, progress, cancellationToken);
                return waited with { Figures = BackendScaler.Figures(before, target) };
            }

            return state.Replicas == before
                ? ActionOutcome.Failure($"The PATCH was not applied before the restart: {scaler.DeploymentName} still has {before} replicas. Nothing was changed; propose the scale-up again.", BackendScaler.Figures(before, before))
                : ActionOutcome.Failure($"{scaler.DeploymentName} now has {state.Replicas} replicas (neither {before} nor {target}): someone else changed it. Nothing was done.", BackendScaler.Figures(before, state.Replicas));
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot reconcile {scaler.Target}: {KubernetesErrors.Describe(ex, "deployments/scale get")}");
        }
    }

    private static (int Before, int Target) Counts(ActionRecord action) => (Int(action, ScaleParameters.ReplicasBefore), Int(action, ScaleParameters.ReplicasTarget));

    private static int Int(ActionRecord action, string key) =>
        action.Parameters.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Scaled {Deployment} from {Before} to {Target} replicas")]
        public static partial void Scaled(ILogger logger, string deployment, int before, int target);
    }
}
