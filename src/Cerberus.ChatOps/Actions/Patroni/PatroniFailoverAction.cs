using System.Globalization;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Promotes a Patroni member through the REST API: <c>POST /switchover</c> when the leader is healthy (graceful,
/// no loss), <c>POST /failover</c> when there is none (Patroni then skips its own lag check, so this action
/// estimates the loss and asks for an explicit confirmation). Registered twice: for
/// <see cref="RemediationKind.Switchover"/> and <see cref="RemediationKind.Failover"/>. Before every POST the live
/// mode, fingerprint and risk are compared with the approved ones; any difference stops the action with
/// <see cref="ActionOutcome.StateChanged"/> (a switchover never turns into a failover without a new approval).
/// </summary>
internal sealed partial class PatroniFailoverAction(
    RemediationKind kind,
    IPatroniClient patroni,
    PostgresConnector postgres,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<PatroniFailoverAction> logger) : IRemediationAction
{
    public const string CandidateArgument = "candidate";

    private const string ModeParameter = "mode";

    private const string LeaderParameter = "leader";

    private const string TimelineParameter = "timeline_before";

    private const string RiskParameter = "risk";

    /// <summary>Figure: every answer Patroni gave to this action's POSTs, in order (" | " between them).</summary>
    private const string PatroniAnswersFigure = "patroni_answers";

    /// <summary>Figure: the approved candidate, recorded when Patroni promoted another member instead.</summary>
    private const string RequestedCandidateFigure = "requested_candidate";

    /// <summary>How long the DCS optime search may take (each probe is one local GET; a search is ≈ 30 of them).</summary>
    private static readonly TimeSpan DcsOptimeBudget = TimeSpan.FromSeconds(5);

    /// <remarks>
    /// The fix is in 3.1.0 only (commit 01976ec1, PR #2787; 3.0.3's #2693 is an unrelated etcd3 lease fix): see
    /// <see cref="PatroniVersions"/>. The watch names the bug by the version /patroni reports.
    /// </remarks>
    private const string FenceExplanation =
        "Patroni 3.0.2, like every release before 3.1.0 (PR #2787), lets a stale primary whose Patroni resumes with no leader key take the lock back on its old timeline, " +
        "discarding the promotion and the writes the new leader took. Fence it before it comes back (`/dbincident propose fence " + "<member>`: delete its pod, " +
        "or stop its PostgreSQL with pg_ctl); the leader watch keeps looking for a flip-back for the rest of the incident.";

    private readonly ActionsOptions _options = options.Value;

    public RemediationKind Kind { get; } = kind is RemediationKind.Switchover or RemediationKind.Failover
        ? kind
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "switchover or failover only");

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (patroni.Members.Count == 0)
        {
            return ActionProposal.NotApplicable("Patroni is not configured: set Cerberus:Patroni:Urls to every member's REST API.");
        }

        var (plan, cluster, error) = await ReadPlanAsync(sampleWalRate: true, cancellationToken);
        if (plan is null || cluster is null)
        {
            return ActionProposal.NotApplicable($"No promotion can be proposed: {error}");
        }

        if (Kind == RemediationKind.Switchover && !plan.LeaderHealthy)
        {
            return ActionProposal.NotApplicable(
                $"A switchover needs a healthy leader, and {(plan.Leader is null ? "there is none" : plan.Leader + " does not answer as a running primary")}: propose a failover instead.");
        }

        var valid = plan.Offered.Select(c => c.Name).ToList();
        var validText = valid.Count == 0 ? "none" : string.Join(", ", valid);
        FailoverCandidate? chosen;
        if (request.Arguments.TryGetValue(CandidateArgument, out var requested) && !string.IsNullOrWhiteSpace(requested))
        {
            requested = requested.Trim();
            if (string.Equals(requested, plan.Leader, StringComparison.Ordinal))
            {
                return ActionProposal.NotApplicable($"{requested} is already the leader. Valid candidates: {validText}.");
            }

            chosen = plan.Find(requested);
            if (chosen is null)
            {
                return ActionProposal.NotApplicable(
                    $"'{requested}' is not a member of the Patroni cluster (candidates are Patroni member names from /cluster, not deployment names such as postgres-replica). Valid candidates: {validText}.");
            }

            if (!chosen.Offered)
            {
                return ActionProposal.NotApplicable($"{chosen.Name} cannot be promoted: {chosen.NotOfferedReason}. Valid candidates: {validText}.");
            }
        }
        else
        {
            chosen = plan.Best;
            if (chosen is null)
            {
                return ActionProposal.NotApplicable(
                    $"No member can be promoted:\n{FailoverPlanner.DescribeCandidates(plan)}");
            }
        }

        var dryRun = request.DryRun || _options.DryRun;
        var command = DescribeCommand(plan, chosen, cluster);
        var formerLeader = await FormerLeaderAsync(plan, cancellationToken);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CandidateArgument] = chosen.Name,
            [ModeParameter] = ModeText(plan.Mode),
            [LeaderParameter] = formerLeader ?? string.Empty,
            [TimelineParameter] = Invariant(plan.Timeline),
            ["maximum_lag_on_failover"] = Invariant(plan.MaximumLagOnFailover),
            [RiskParameter] = LiveState(plan, chosen.Name, chosen).RiskText,
        };
        var figures = EstimateFigures(plan, chosen, formerLeader);
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = chosen.Name,
            Description = (dryRun ? "DRY RUN — nothing will be sent. Would run: " : "Will run: ") + command +
                          $" ({(plan.Mode == FailoverMode.Switchover ? "graceful switchover: the leader is healthy" : "failover: there is no healthy leader; Patroni skips its lag check for a named candidate, so the loss below is ours to accept")}). " +
                          $"Then verify: {chosen.Name} leads on timeline {plan.Timeline + 1}, pg_is_in_recovery() is false on it, and {formerLeader ?? "the old leader"} is back as a replica or flagged for fencing.",
            BasedOn = DescribeBasis(plan),
            ObservedFingerprint = FailoverPlanner.Fingerprint(plan, chosen.Name),
            Parameters = parameters,
            Figures = figures,
            RiskWarning = FailoverPlanner.RiskWarning(plan, chosen),
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, Kind, chosen.Name, ModeText(plan.Mode), action.RiskWarning is not null);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (plan, _, error) = await ReadPlanAsync(sampleWalRate: false, cancellationToken);
        return plan is null ? $"unreadable: {error}" : FailoverPlanner.Fingerprint(plan, Candidate(action));
    }

    private static Dictionary<string, string> Record(ActionRecord action, Dictionary<string, string> figures)
    {
        foreach (var (key, value) in figures)
        {
            action.Figures[key] = value;
        }

        return figures;
    }

    private static string? Figure(ActionRecord action, string figure, string? parameter) =>
        action.Figures.TryGetValue(figure, out var v) && v.Length > 0 ? v
        : parameter is not null && action.Parameters.TryGetValue(parameter, out var p) && p.Length > 0 ? p
        : null;

    private static string Candidate(ActionRecord action) =>
        action.Parameters.TryGetValue(CandidateArgument, out var c) ? c : action.Target;

    private static Uri? ApiRoot(string? apiUrl) =>
        Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) ? new Uri(uri, "/") : null;

    private static string ModeText(FailoverMode mode) => mode == FailoverMode.Switchover ? "switchover" : "failover";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed {Kind} to {Candidate} as a {Mode} (risk warning: {Risky})")]
        public static partial void Proposed(ILogger logger, RemediationKind kind, string candidate, string mode, bool risky);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Patroni {Mode} to {Candidate} answered {Status} in {ElapsedMs:0} ms")]
        public static partial void Answered(ILogger logger, string mode, string candidate, int status, double elapsedMs);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Verified {Candidate} leads on timeline {Timeline}; fence old leader: {Fence}")]
        public static partial void Verified(ILogger logger, string candidate, int timeline, bool fence);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Not promoting {Candidate} (attempt {Attempt}): the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string candidate, int attempt, string approved, string observed);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Patroni promoted {NewLeader} instead of the approved {Candidate}")]
        public static partial void OtherMemberPromoted(ILogger logger, string candidate, string newLeader);
    }
}
