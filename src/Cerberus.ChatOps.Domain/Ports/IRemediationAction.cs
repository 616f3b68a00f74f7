using Cerberus.ChatOps.Domain.Actions;

namespace Cerberus.ChatOps.Domain.Ports;

/// <summary>
/// One of the runbook's remediations. It never posts to Slack; it returns proposals and outcomes. The incident
/// engine runs it only after approval: observe (compare with the proposal's fingerprint) → execute → verify.
/// </summary>
public interface IRemediationAction
{
    RemediationKind Kind { get; }

    /// <summary>Reads the current state and builds a proposal (what will run, against what, the observed state).</summary>
    Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken);

    /// <summary>Re-reads the state the proposal was based on and returns its current fingerprint.</summary>
    Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken);

    /// <summary>Does it. <paramref name="progress"/> takes human-readable progress lines.</summary>
    Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken);

    /// <summary>Checks the result (new leader on timeline + 1, replicas restored, rows gone...).</summary>
    Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken);

    /// <summary>
    /// After a restart, for an action marked started but not finished: find out from reality what happened, or
    /// resume it when resuming is safe (batched deletes). Never starts the side effect again blindly.
    /// </summary>
    Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken);
}
