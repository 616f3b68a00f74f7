using System.Globalization;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Rebuilds a replica that cannot serve as a standby — its WAL is gone, its slot is lost, it is on another timeline
/// than the leader, or its PostgreSQL does not run — with Patroni's own <c>POST /reinitialize</c> on that member
/// (3.0.2 <c>ha.py</c> <c>reinitialize</c> → <c>_do_reinitialize</c>: stop immediate, delete the data directory,
/// pg_basebackup from the leader, start as a replica). Never the leader, never a healthy replica, never without a
/// healthy leader. The card shows the bytes to copy (the sum of <c>pg_database_size</c> on the leader, or unknown);
/// the live state is compared with the approved one just before the POST; the member's states are posted while it
/// rebuilds; the verification wants it running as a replica on the leader's timeline, streaming in the leader's
/// <c>pg_stat_replication</c>, with a replay lag under <see cref="PostgresOptions.ReplicaLagWarnBytes"/>.
/// </summary>
internal sealed partial class ReinitializeReplicaAction(
    IPatroniClient patroni,
    ILeaderReplicationAccess replication,
    IOptions<ActionsOptions> options,
    IOptions<PostgresOptions> diagnostics,
    TimeProvider time,
    ILogger<ReinitializeReplicaAction> logger) : IRemediationAction
{
    /// <summary>ProposalRequest.Arguments: the Patroni member to rebuild (optional when exactly one replica needs it).</summary>
    public const string MemberArgument = "member";

    private const string LeaderParameter = "leader";
    private const string TimelineParameter = "timeline";
    private const string ApiParameter = "api_url";
    private const string ReasonsParameter = "reasons";

    /// <summary>Figure: Patroni's answer to the POST.</summary>
    private const string PatroniAnswerFigure = "patroni_answer";

    private readonly ActionsOptions _options = options.Value;

    public RemediationKind Kind => RemediationKind.ReinitializeReplica;

    private long LagThreshold => diagnostics.Value.ReplicaLagWarnBytes;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (patroni.Members.Count == 0)
        {
            return ActionProposal.NotApplicable("Patroni is not configured: set Cerberus:Patroni:Urls to every member's REST API.");
        }

        var (plan, error) = await ReadPlanAsync(cancellationToken);
        if (plan is null)
        {
            return ActionProposal.NotApplicable($"No rebuild can be proposed: {error}");
        }

        var requested = request.Arguments.TryGetValue(MemberArgument, out var named) && !string.IsNullOrWhiteSpace(named) ? named.Trim() : null;
        if (requested is not null)
        {
            if (!plan.Cluster.Members.Any(m => string.Equals(m.Name, requested, StringComparison.Ordinal)))
            {
                return ActionProposal.NotApplicable(
                    $"'{Shorten(requested)}' is not a member of the Patroni cluster (members are Patroni names from /cluster, not pod or deployment names such as postgres-replica). Members: {Members(plan.Cluster)}.");
            }

            if (string.Equals(requested, plan.Leader.Name, StringComparison.Ordinal))
            {
                return ActionProposal.NotApplicable(
                    $"{requested} is the leader: a leader is never reinitialised (Patroni 3.0.2 answers \"I am the leader, can not reinitialize\"). To rebuild it, switch over first, then propose `reinit {requested}`.");
            }
        }

        if (!plan.LeaderHealthy)
        {
            return ActionProposal.NotApplicable(
                $"A rebuild copies the database from the leader, and {plan.Leader.Name} {plan.LeaderProblem}: nothing is reinitialised until the leader is healthy (fix the leader first, or fail over).");
        }

        if (!plan.Replication.Readable)
        {
            return ActionProposal.NotApplicable(
                $"The leader's replication could not be read ({plan.Replication.Error}): without pg_stat_replication neither the need for a rebuild nor its result can be checked.");
        }

        ReplicaCondition target;
        if (requested is not null)
        {
            target = plan.Find(requested)!;
        }
        else
        {
            var broken = plan.Replicas.Where(r => r.Broken).ToList();
            if (broken.Count != 1)
            {
                return ActionProposal.NotApplicable(broken.Count == 0
                    ? $"No replica needs a rebuild: {DescribeReplicas(plan.Replicas)}."
                    : $"{broken.Count} replicas need a rebuild ({string.Join(", ", broken.Select(b => b.Name))}): name one, `/dbincident propose reinit <member>`, so that the others keep what they have while it copies.");
            }

            target = broken[0];
        }

        if (ReinitPlanner.Upstream(target.Member, plan.Cluster, plan.Leader) is { } upstream)
        {
            return ActionProposal.NotApplicable(
                $"{target.Name} streams from {upstream} (tag replicatefrom), not from the leader: the bot rebuilds only replicas whose stream and slot it can check on the leader. Use `patronictl reinit` for it, by hand.");
        }

        if (target.InProgress)
        {
            return ActionProposal.NotApplicable($"{target.Name} is {target.Member.State}: Patroni is already working on it. Propose again once it settles (patronictl list).");
        }

        if (!target.Broken)
        {
            return ActionProposal.NotApplicable(HealthyRefusal(plan, target));
        }

        if (ApiRoot(target.Member.ApiUrl) is not { } api)
        {
            return ActionProposal.NotApplicable($"{target.Name} has no usable api_url in /cluster: POST /reinitialize must go to the member itself.");
        }

        var dryRun = request.DryRun || _options.DryRun;
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = target.Name,
            Description = DescribeCommand(plan, target, api, dryRun),
            BasedOn = DescribeBasis(plan, target),
            ObservedFingerprint = ReinitPlanner.Fingerprint(plan, target.Name),
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MemberArgument] = target.Name,
                [LeaderParameter] = plan.Leader.Name,
                [TimelineParameter] = plan.Timeline?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                [ApiParameter] = api.ToString(),
                [ReasonsParameter] = string.Join(",", target.Reasons),
            },
            Figures = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ActionFigureKeys.BytesToCopy] = plan.Replication.DatabaseBytes is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) : "unknown",
                [ActionFigureKeys.TimelineBefore] = target.Member.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown",
            },
            RiskWarning = RiskWarning(plan, target),
            DryRun = dryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, target.Name, string.Join(",", target.Reasons), plan.Replication.DatabaseBytes ?? -1);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (plan, error) = await ReadPlanAsync(cancellationToken);
        return plan is null ? $"unreadable: {error}" : ReinitPlanner.Fingerprint(plan, Member(action));
    }

    /// <summary>
    /// /cluster from every member (believed as the diagnostics believe it), the leader's own /patroni, /config's
    /// use_slots and the leader's replication state; null with the reason when there is nothing to plan on.
    /// </summary>
    private async Task<(ReinitPlan? Plan, string? Error)> ReadPlanAsync(CancellationToken cancellationToken)
    {
        var answers = await patroni.GetClusterFromAllAsync(cancellationToken);
        var cluster = PatroniCluster.Believed(answers);
        if (cluster is null)
        {
            return (null, "no Patroni member answered /cluster (" +
                          string.Join("; ", answers.Select(a => $"{a.Member}: {SecretRedactor.Redact(a.Error ?? a.StatusCode?.ToString(CultureInfo.InvariantCulture))}")) + ")");
        }

        if (cluster.Leaders.Count > 1)
        {
            return (null, $"/cluster names {cluster.Leaders.Count} leaders ({cluster.LeaderKey}): nothing is rebuilt on a split brain. Fence the stale primary first.");
        }

        if (cluster.Leader is not { } leader)
        {
            return (null, "/cluster shows no leader: a rebuild copies from the leader, and Patroni 3.0.2 refuses one without it (\"Cluster has no leader, can not reinitialize\").");
        }

        string? problem;
        if (ApiRoot(leader.ApiUrl) is not { } leaderApi)
        {
            problem = "has no usable api_url in /cluster, so its health cannot be read";
        }
        else
        {
            var status = await patroni.GetStatusAsync(leaderApi, cancellationToken);
            problem = status.Value is null ? $"does not answer /patroni ({SecretRedactor.Redact(status.Error ?? "no answer")})"
                : status.Value is { State: "running", IsPrimary: true } ? null
                : $"answers /patroni as {status.Value.State ?? "?"} {status.Value.Role ?? "?"}, not as a running primary";
        }

        var useSlots = true;
        foreach (var member in patroni.Members)
        {
            if ((await patroni.GetConfigAsync(member, cancellationToken)).Value is { } config)
            {
                useSlots = config.UseSlots;
                break;
            }
        }

        var read = await replication.ReadAsync(leader, cancellationToken);
        var replicas = cluster.Replicas.Select(m => ReinitPlanner.Judge(m, cluster, leader, read, useSlots)).ToList();
        return (new ReinitPlan(cluster, leader, problem, replicas, read, useSlots), null);
    }

    private static string HealthyRefusal(ReinitPlan plan, ReplicaCondition target)
    {
        var othersHealthy = plan.Replicas.Count(r => r.Healthy && !string.Equals(r.Name, target.Name, StringComparison.Ordinal));
        var text = $"{target.Name} does not need a rebuild: {string.Join("; ", target.Findings)}. A reinitialise would wipe a working standby";
        if (target.Member.IsSync)
        {
            text += "; it is the synchronous standby";
        }

        if (othersHealthy == 0)
        {
            text += ", and it is the only healthy replica: the leader would have no standby and no failover candidate for the whole copy";
        }

        return text + ". Nothing is proposed.";
    }

    private string DescribeCommand(ReinitPlan plan, ReplicaCondition target, Uri api, bool dryRun)
    {
        var sources = ReinitPlanner.CloneSources(plan.Cluster, target.Name, plan.Leader.Name);
        var source = sources.Count == 0 ? plan.Leader.Name : $"one of {string.Join(", ", sources)} (tag clonefrom; Patroni picks at random, the leader when none runs)";
        var bytes = plan.Replication.DatabaseBytes is { } b
            ? $"≈ {ByteSize.Format(b)} (the sum of pg_database_size on {plan.Leader.Name}; pg_basebackup also streams the WAL written during the copy)"
            : $"unknown (pg_database_size could not be read on {plan.Leader.Name}: {plan.Replication.DatabaseSizeError})";
        var slot = SlotPolicy.PatroniSlotName(target.Name);
        var slotStep = target.Reasons.Contains(ReinitPlanner.SlotMissing)
            ? $"first, on {plan.Leader.Name}, `SELECT pg_create_physical_replication_slot('{slot}', true)` while it is still missing (Patroni's own statement: " +
              "Patroni 3.0.2 re-creates a member slot dropped behind its back only after its PostgreSQL restarts or the cluster is paused, " +
              $"so without it {target.Name} could not stream after the copy either; from then on it holds WAL on {plan.Leader.Name} for {target.Name}, like every member slot); then "
            : string.Empty;
        return (dryRun ? "DRY RUN — nothing will be sent. Would run: " : "Will run: ") + slotStep +
               $"`POST {new Uri(api, "reinitialize")} {{\"force\": false}}` on {target.Name}. Patroni then, on {target.Name} only: stops its PostgreSQL (immediate), " +
               $"DELETES its data directory, copies it again from {source} with pg_basebackup (-X stream) and starts it as a replica. " +
               $"Bytes to copy: {bytes}. Time: unknown (not measured; it depends on the disks and the network), and {target.Name} is no standby until it ends; " +
               $"its states and the copy's progress are posted here. The copy reads the whole database on {source} and holds its WAL there until it ends. " +
               $"Then verify: {target.Name} running as a replica on timeline {plan.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "?"} (the leader's), streaming in pg_stat_replication on {plan.Leader.Name}, " +
               $"replay lag under {ByteSize.Format(LagThreshold)} (Cerberus:Postgres:ReplicaLagWarnBytes).";
    }

    private static string DescribeBasis(ReinitPlan plan, ReplicaCondition target)
    {
        var others = plan.Replicas.Where(r => !string.Equals(r.Name, target.Name, StringComparison.Ordinal)).ToList();
        var healthy = others.Where(r => r.Healthy).Select(r => r.Name).ToList();
        var text = $"/cluster: leader {plan.Leader.Name} is healthy (running primary) on timeline {plan.Timeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}. " +
                   $"{target.Describe()}. " +
                   (others.Count == 0 ? "No other replica: the cluster has no working standby now, and will have none until the copy ends. "
                       : healthy.Count == 0 ? $"No other replica is healthy ({DescribeReplicas(others)}): there is no working standby during the copy. "
                       : $"Healthy replicas that keep serving meanwhile: {string.Join(", ", healthy)}. ");
        if (target.Member.IsSync)
        {
            text += "It is listed as the synchronous standby: with synchronous_mode_strict, commits wait until a synchronous standby streams again. ";
        }

        if (plan.Cluster.Pause == true)
        {
            text += "The cluster is paused: Patroni 3.0.2 still runs a reinitialize (ha.py reinitialize has no pause check). ";
        }

        return text + "force=false: a background action Patroni already runs on the member (a restart, a bootstrap) is not cancelled; Patroni then answers 503 and nothing starts.";
    }

    /// <summary>A member on another timeline may hold commits the leader never had: the rebuild deletes them.</summary>
    private static string? RiskWarning(ReinitPlan plan, ReplicaCondition target) =>
        target.Reasons.Contains(ReinitPlanner.OtherTimeline)
            ? $"{target.Name} is on timeline {target.Member.Timeline}, the leader's is {plan.Timeline}: whatever {target.Name} wrote on its own timeline never reached {plan.Leader.Name} and is deleted for good with its data directory."
            : null;

    private static string DescribeReplicas(IEnumerable<ReplicaCondition> replicas)
    {
        var list = replicas.Select(r => r.Describe()).ToList();
        return list.Count == 0 ? "there is no replica" : string.Join(" | ", list);
    }

    private static string Members(PatroniCluster cluster) =>
        string.Join(", ", cluster.Members.Select(m => $"{m.Name} ({m.Role})"));

    private static string Member(ActionRecord action) =>
        action.Parameters.TryGetValue(MemberArgument, out var m) ? m : action.Target;

    private static Uri? ApiRoot(string? apiUrl) =>
        Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? new Uri(uri, "/") : null;

    private static string Shorten(string text) => text.Length > 63 ? text[..63] + "…" : text;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed reinitialize of {Member} ({Reasons}); bytes to copy {Bytes}")]
        public static partial void Proposed(ILogger logger, string member, string reasons, long bytes);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Patroni POST /reinitialize on {Member} answered {Status} in {ElapsedMs:0} ms")]
        public static partial void Answered(ILogger logger, string member, int status, double elapsedMs);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Not reinitializing {Member}: the state changed since the approval: {Approved} → {Observed}")]
        public static partial void StateChanged(ILogger logger, string member, string approved, string observed);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Rebuilt {Member} in {ElapsedMs:0} ms: {States}")]
        public static partial void Rebuilt(ILogger logger, string member, double elapsedMs, string states);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Verified {Member} streams on timeline {Timeline}, {LagBytes} bytes behind")]
        public static partial void Verified(ILogger logger, string member, int timeline, long lagBytes);
    }
}
