using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Incidents.Rendering;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>
/// Execution of an approved action, under the incident's execution lease: re-read the state the approval was based
/// on, mark Started before the first side effect, run (its progress goes to the thread through
/// <see cref="ThreadProgress"/>), record, and hand a success to <see cref="ActionVerification"/>. After a restart or a
/// lapsed owner: an approval that never started is not run behind anyone's back, a Started action is reconciled
/// against reality, an executed one is verified.
/// </summary>
internal sealed partial class ActionExecution(
    IncidentMutator mutator,
    IIncidentStore store,
    IncidentBackends backends,
    ActionProposer proposer,
    ActionVerification verification,
    IOptionsMonitor<IncidentOptions> options,
    ExecutionLease execution,
    BackgroundWork work,
    TimeProvider time,
    ILogger<ActionExecution> logger)
{
    private IncidentOptions Options => options.CurrentValue;

    public void StartExecution(string incidentId, string actionId) =>
        work.TryStart("execute:" + incidentId, ct => OwnedAsync(incidentId, t => ExecuteAsync(incidentId, actionId, t), ct));

    /// <summary>
    /// Runs <paramref name="body"/> while this process holds the incident's execution lease, renewed by a heartbeat;
    /// does nothing (false) while another live process holds it. On a graceful stop (rolling update) the work stops at
    /// its next safe point, the thread says so, and the lease is released so another process continues at once; when
    /// the lease was lost to another process, this one stops and leaves the action to it.
    /// </summary>
    private async Task<bool> OwnedAsync(string incidentId, Func<CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        if (!await execution.TryTakeAsync(incidentId, cancellationToken))
        {
            Log.OwnedElsewhere(logger, incidentId);
            return false;
        }

        var heartbeat = execution.Beat(incidentId, cancellationToken);
        try
        {
            await body(heartbeat.Token);
        }
        catch (OperationCanceledException) when (heartbeat.Token.IsCancellationRequested)
        {
            if (!heartbeat.Lost)
            {
                await HandOverAsync(incidentId);
            }
        }
        finally
        {
            await heartbeat.DisposeAsync();
            if (!heartbeat.Lost)
            {
                await execution.ReleaseAsync(incidentId);
            }
        }

        return true;
    }

    /// <summary>The process stops while an action runs: say so; whoever holds the lease next continues from the ledger.</summary>
    private async Task HandOverAsync(string incidentId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await mutator.MutateAsync(incidentId, (i, batch, now) =>
            {
                if (i.RunningAction is not { Status: ActionStatus.Started } running)
                {
                    return DomainResult.Ok();
                }

                i.AddNote(Incident.BotActor, $"this bot process stopped while {running.Kind} ran; it stopped at a safe point and the next process continues from the ledger (nothing runs twice)", now);
                batch.Thread(IncidentMessages.Text($":pause_button: This bot process is stopping (rolling update or shutdown) while {ActionRequestParser.Title(running.Kind)} runs. It stopped at a safe point; another process checks what happened and continues from there — nothing is run twice."));
                return DomainResult.Ok();
            }, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConcurrencyConflictException or InvalidOperationException)
        {
            Log.HandOverNotRecorded(logger, incidentId);
        }
    }

    private async Task ExecuteAsync(string incidentId, string actionId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["IncidentId"] = incidentId, ["ActionId"] = actionId });
        var incident = await store.GetAsync(incidentId, cancellationToken);
        var record = incident?.FindAction(actionId);
        if (incident is null || record is null || record.Status != ActionStatus.Approved || backends.ActionFor(incident, record.Kind) is not { } action)
        {
            return;
        }

        // Re-read the state the approval was based on. If it drifted, nothing runs.
        string observed;
        try
        {
            observed = await action.ObserveAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            observed = $"could not re-read the state: {SecretRedactor.Redact(ex.Message)}";
        }

        if (!string.Equals(observed, record.ObservedFingerprint, StringComparison.Ordinal))
        {
            await mutator.MutateAsync(incidentId, (i, batch, now) =>
            {
                var result = i.RefuseForDrift(actionId, observed, now);
                if (result.Succeeded)
                {
                    batch.Thread(IncidentMessages.Text($":warning: {ActionRequestParser.Title(record.Kind)} was NOT run: the state changed since the approval card (was `{Format.Safe(record.ObservedFingerprint)}`, now `{Format.Safe(observed)}`). A fresh proposal follows."));
                }

                return result;
            }, cancellationToken);
            await proposer.ReproposeAsync(incident, record, cancellationToken);
            return;
        }

        // The ledger says Started before the first side effect: after this, the action never starts again.
        var started = await mutator.MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.MarkStarted(actionId, now, execution.Owner);
            if (result.Succeeded)
            {
                batch.Thread(IncidentMessages.Text($":gear: Running {ActionRequestParser.Title(record.Kind)} on {Format.Safe(record.Target)} (approved by {Format.User(record.DecidedBy ?? "?")})…"));
            }

            return result;
        }, cancellationToken);
        if (!started.Result.Succeeded)
        {
            return;
        }

        var progress = new ThreadProgress(mutator, incident, time);
        ActionOutcome outcome;
        try
        {
            outcome = await action.ExecuteAsync(record, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ExecutionFailed(logger, ex, incidentId, record.Kind);
            outcome = ActionOutcome.Failure($"the action threw: {SecretRedactor.Redact(ex.Message)}");
        }

        await progress.FlushAsync(cancellationToken);
        await FinishAsync(incidentId, actionId, action, outcome, cancellationToken);
    }

    /// <summary>Records the outcome, then verifies: the action's own check plus the relevant probes, before → after.</summary>
    private async Task FinishAsync(string incidentId, string actionId, IRemediationAction action, ActionOutcome outcome, CancellationToken cancellationToken)
    {
        var recorded = await mutator.MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.RecordExecution(actionId, outcome.Succeeded, SecretRedactor.Redact(outcome.Summary), outcome.Figures, now);
            if (result.Succeeded && i.FindAction(actionId) is { } a)
            {
                batch.Thread(IncidentMessages.Text(outcome switch
                {
                    { Succeeded: true } => $":white_check_mark: {ActionRequestParser.Title(a.Kind)} done: {Format.Safe(outcome.Summary)} Verifying…",
                    { StateChange: { } change } =>
                        $":warning: {ActionRequestParser.Title(a.Kind)} stopped before its next step: the state changed since the approval (`{Format.Safe(change)}`). "
                        + $"Already applied before it stopped: {SideEffects(outcome)}. Nothing more runs on the changed state; a fresh card follows.",
                    _ => $":x: {ActionRequestParser.Title(a.Kind)} failed: {Format.Safe(outcome.Summary)} Nothing else was changed; pick the next step.",
                }));
            }

            return result;
        }, cancellationToken);
        if (recorded.Result.Succeeded && outcome.Succeeded)
        {
            await verification.VerifyAsync(incidentId, actionId, action, cancellationToken);
        }
        else if (recorded.Result.Succeeded && outcome.StateChange is not null
                 && recorded.Incident?.FindAction(actionId) is { } stopped)
        {
            // A switchover never becomes a failover, a clean-up never runs on another table, without a new approval.
            await proposer.ReproposeAsync(recorded.Incident, stopped, cancellationToken);
        }
    }

    private static string SideEffects(ActionOutcome outcome) =>
        outcome.Figures.TryGetValue(ActionOutcome.SideEffectsDoneFigure, out var done) && done != "0"
            ? $"{done} side effect(s) ({string.Join(", ", outcome.Figures.Where(f => f.Key != ActionOutcome.SideEffectsDoneFigure).Select(f => $"{f.Key} {f.Value}"))})"
            : "nothing";

    /// <summary>
    /// Picks up an action whose process is gone (its execution lease lapsed): an approval never started is marked
    /// interrupted (nothing runs behind anyone's back), a started action is reconciled against reality, an executed one
    /// is verified. While another live process holds the lease nothing happens. An approval gets one heartbeat of grace
    /// (unless <paramref name="immediately"/>), the time the approving process needs to take the lease.
    /// </summary>
    /// <returns>False when there was nothing to pick up.</returns>
    internal bool ResumeExecution(Incident incident, bool immediately)
    {
        if (work.IsRunning("execute:" + incident.Id))
        {
            return true;
        }

        var id = incident.Id;
        if (incident.RunningAction is { Status: ActionStatus.Approved } approved)
        {
            if (!immediately && approved.DecidedAt is { } decided && time.GetUtcNow() - decided < Options.ExecutionHeartbeat)
            {
                return true;
            }

            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => InterruptAsync(id, approved.Id, t), ct));
        }

        if (incident.RunningAction is { Status: ActionStatus.Started } started && backends.ActionFor(incident, started.Kind) is { } action)
        {
            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => ReconcileAsync(id, started.Id, action, t), ct));
        }

        if (incident.State == IncidentState.Verifying
            && incident.Actions.LastOrDefault(a => a.Status == ActionStatus.Succeeded) is { } done
            && backends.ActionFor(incident, done.Kind) is { } verifier)
        {
            return work.TryStart("execute:" + id, ct => OwnedAsync(id, t => ResumeVerificationAsync(id, done.Id, verifier, t), ct));
        }

        return false;
    }

    /// <summary>The operator's "reconcile now" (CLI <c>incident reconcile</c>): the same as after a restart, without the grace.</summary>
    public async Task<bool> ReconcileNowAsync(string incidentId, CancellationToken cancellationToken) =>
        await store.GetAsync(incidentId, cancellationToken) is { } incident && ResumeExecution(incident, immediately: true);

    private async Task InterruptAsync(string incidentId, string actionId, CancellationToken cancellationToken)
    {
        Log.Resuming(logger, incidentId, "interrupted approval");
        await mutator.MutateAsync(incidentId, (i, batch, now) =>
        {
            var result = i.MarkInterrupted(actionId, now);
            if (result.Succeeded && i.FindAction(actionId) is { } approved)
            {
                batch.Thread(IncidentMessages.Text($":warning: The bot restarted after {ActionRequestParser.Title(approved.Kind)} was approved and before it started: nothing ran. Propose it again if it is still needed."));
            }

            return result;
        }, cancellationToken);
    }

    private async Task ResumeVerificationAsync(string incidentId, string actionId, IRemediationAction verifier, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(incidentId, cancellationToken) is { State: IncidentState.Verifying })
        {
            Log.Resuming(logger, incidentId, "verification");
            await verification.VerifyAsync(incidentId, actionId, verifier, cancellationToken);
        }
    }

    private async Task ReconcileAsync(string incidentId, string actionId, IRemediationAction action, CancellationToken cancellationToken)
    {
        // Read again under the lease: the process that ran it may have finished it meanwhile.
        var incident = await store.GetAsync(incidentId, cancellationToken);
        if (incident?.FindAction(actionId) is not { Status: ActionStatus.Started } record)
        {
            return;
        }

        Log.Resuming(logger, incidentId, "reconcile " + record.Kind);
        await mutator.PostThreadAsync(incident, $":arrows_counterclockwise: The bot restarted while {ActionRequestParser.Title(record.Kind)} was running; checking what actually happened before anything else (it is not started again)…", cancellationToken);
        var progress = new ThreadProgress(mutator, incident, time);
        ActionOutcome outcome;
        try
        {
            outcome = await action.ReconcileAsync(record, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = ActionOutcome.Failure($"could not reconcile after the restart: {SecretRedactor.Redact(ex.Message)}");
        }

        await progress.FlushAsync(cancellationToken);
        await FinishAsync(incident.Id, record.Id, action, outcome, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Incident {IncidentId}: {Kind} threw")]
        public static partial void ExecutionFailed(ILogger logger, Exception exception, string incidentId, RemediationKind kind);

        [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Incident {IncidentId}: resuming {What} after a restart")]
        public static partial void Resuming(ILogger logger, string incidentId, string what);

        [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Incident {IncidentId}: another process holds the execution lease; leaving the action to it")]
        public static partial void OwnedElsewhere(ILogger logger, string incidentId);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Incident {IncidentId}: stopping mid-action; the hand-over note could not be saved (the next process still continues from the ledger)")]
        public static partial void HandOverNotRecorded(ILogger logger, string incidentId);
    }
}
