using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>A remediation with a controllable observed state; counts every call, so a test can see a second execution.</summary>
internal sealed class FakeRemediationAction(RemediationKind kind) : IRemediationAction
{
    private int _executions;
    private int _reconciles;
    private int _verifies;
    private int _proposals;

    public RemediationKind Kind => kind;

    public string Fingerprint { get; set; } = "leader=pg1;tl=1";

    public string? Risk { get; set; }

    public bool Succeeds { get; set; } = true;

    /// <summary>When set, execution stops with <see cref="ActionOutcome.StateChanged"/> after one side effect.</summary>
    public (string Approved, string Observed)? ChangeMidway { get; set; }

    /// <summary>When set, execution waits for it (lets a test look at the Executing state).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Executions => _executions;

    public int Reconciles => _reconciles;

    public int Verifies => _verifies;

    /// <summary>How often a proposal was built (each reads production in the real actions).</summary>
    public int Proposals => _proposals;

    public Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(ActionProposal.Of(NewRecord(request)));

    private ActionRecord NewRecord(ProposalRequest request)
    {
        Interlocked.Increment(ref _proposals);
        return new ActionRecord
        {
            Id = request.ActionId,
            Kind = kind,
            Target = "pg2",
            Description = $"{kind} to pg2",
            BasedOn = "leader pg1, pg2 lag 0 B",
            ObservedFingerprint = Fingerprint,
            RiskWarning = Risk,
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
            Parameters = new Dictionary<string, string>(request.Arguments, StringComparer.Ordinal),
            UndoKind = kind == RemediationKind.ScaleBackendDown ? RemediationKind.ScaleBackendUp : null,
        };
    }

    public Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken) => Task.FromResult(Fingerprint);

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _executions);
        progress.Report("half way");
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (ChangeMidway is { } change)
        {
            return ActionOutcome.StateChanged(change.Approved, change.Observed, new Dictionary<string, string>
            {
                [ActionOutcome.SideEffectsDoneFigure] = "1",
                [ActionFigureKeys.RowsDeleted] = "200",
            });
        }

        return Succeeds
            ? ActionOutcome.Success("done", new Dictionary<string, string> { [ActionFigureKeys.NewLeader] = "pg2" })
            : ActionOutcome.Failure("Patroni answered 412");
    }

    public Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _verifies);
        return Task.FromResult(ActionOutcome.Success("leader pg2 on timeline 2"));
    }

    public Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reconciles);
        return Task.FromResult(ActionOutcome.Success("reality: pg2 is the leader"));
    }
}
