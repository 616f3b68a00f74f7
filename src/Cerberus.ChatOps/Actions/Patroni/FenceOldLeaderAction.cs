using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Kubernetes;
using Cerberus.ChatOps.Patroni;
using Cerberus.ChatOps.Timing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cerberus.ChatOps.Actions.Patroni;

/// <summary>
/// Fences a former leader that still runs, or may run, as a primary while another member holds Patroni's leader key:
/// in Kubernetes (with <see cref="KubernetesOptions.FencePods"/>) it deletes the member's pod with a short grace period
/// (<c>DELETE pods/{name}</c>, <c>gracePeriodSeconds</c>, a uid precondition), so the kubelet stops its PostgreSQL now and
/// the pod's controller creates it again, and Patroni starts it as a replica of the leader. Outside Kubernetes, or with
/// pod fencing off, nothing can be run by the bot: the answer says exactly what to run on the member's host. Never the
/// key holder, never without a healthy leader (a leader whose own <c>/patroni</c> answers a running primary), re-checked
/// just before the delete. Verified when the member is back as a running replica on the leader's timeline, or gone,
/// with one primary left.
/// </summary>
internal sealed partial class FenceOldLeaderAction(
    IPatroniClient patroni,
    PostgresConnector postgres,
    KubernetesAccess kubernetes,
    IOptions<ActionsOptions> options,
    TimeProvider time,
    ILogger<FenceOldLeaderAction> logger) : IRemediationAction
{
    public const string MemberArgument = "member";

    private const string MemberParameter = "member";
    private const string LeaderParameter = "leader";
    private const string TimelineParameter = "leader_timeline";
    private const string NamespaceParameter = "namespace";
    private const string PodParameter = "pod";
    private const string PodUidParameter = "pod_uid";
    private const string GraceParameter = "grace_period_s";
    private const string ApiParameter = "member_api_url";
    private const string HostParameter = "member_host";
    private const string PortParameter = "member_port";

    /// <summary>Figure: the uid of the pod that replaced the deleted one, once seen.</summary>
    private const string PodUidAfterFigure = "pod_uid_after";

    private readonly ActionsOptions _options = options.Value;

    public RemediationKind Kind => RemediationKind.FenceOldLeader;

    private KubernetesOptions Kube => kubernetes.Options;

    private int GraceSeconds => (int)Kube.FenceGracePeriod.TotalSeconds;

    public async Task<ActionProposal> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (patroni.Members.Count == 0)
        {
            return ActionProposal.NotApplicable("Patroni is not configured: set Cerberus:Patroni:Urls to every member's REST API (who holds the leader key decides what may be fenced).");
        }

        request.Arguments.TryGetValue(MemberArgument, out var requested);
        if (requested is { Length: > 0 } && !MemberName().IsMatch(requested))
        {
            return ActionProposal.NotApplicable($"`{SecretRedactor.Redact(requested[..Math.Min(requested.Length, 64)])}` is not a Patroni member name (letters, digits, '.', '_' and '-').");
        }

        var look = await ClusterLookReader.ReadAsync(patroni, new Dictionary<string, string?>(), cancellationToken);
        if (Unsafe(look) is { } unsafeReason)
        {
            return ActionProposal.NotApplicable(unsafeReason);
        }

        var leader = look.Leader!;
        var member = requested is { Length: > 0 } ? requested : await DefaultMemberAsync(look, cancellationToken);
        if (member is null)
        {
            var others = look.Cluster!.Replicas.Select(r => $"{r.Name} ({r.Role}, {r.State}, timeline {Text(r.Timeline)})").ToList();
            return ActionProposal.NotApplicable(
                $"No member to fence: {leader.Name} holds the leader key and no other member answers as a primary or is a former leader that has not come back ({(others.Count == 0 ? "no other member in /cluster" : string.Join(", ", others))}). Name one: `propose fence <member>`.");
        }

        if (string.Equals(member, leader.Name, StringComparison.Ordinal))
        {
            return ActionProposal.NotApplicable($"{member} holds the leader key on timeline {Text(look.LeaderTimeline)}: it is the primary the cluster runs on, so it is never fenced (a switchover or failover moves the leadership first).");
        }

        if (look.Member(member) is null && !look.KnownNames.Contains(member, StringComparer.Ordinal) && !kubernetes.IsAvailable)
        {
            return ActionProposal.NotApplicable($"{member} is not a member of this cluster (/cluster and /history know {string.Join(", ", look.KnownNames)}).");
        }

        var target = await ReadTargetAsync(look, member, null, cancellationToken);
        if (target.State == FenceTargetState.Replica)
        {
            return ActionProposal.NotApplicable($"{member} is a running replica of {leader.Name} on timeline {Text(look.LeaderTimeline)} ({target.Evidence}): there is nothing to fence.");
        }

        var bug = PatroniVersions.StalePrimaryBug(look.PatroniVersion);
        if (!PodFencingOn(out var off))
        {
            var byHand = kubernetes.IsAvailable
                ? $"`kubectl delete pod -n {Kube.Namespace} {member} --grace-period={GraceSeconds}` (the pod named like the member; its controller creates it again and Patroni rejoins it as a replica of {leader.Name})"
                : ManualSteps(target);
            return ActionProposal.NotApplicable($"{off} To fence {member} by hand now ({target.Evidence}): {byHand} {bug}");
        }

        var (pod, problem) = await FindPodAsync(target, cancellationToken);
        if (pod is null)
        {
            return ActionProposal.NotApplicable($"{problem} To fence {member} by hand ({target.Evidence}): {ManualSteps(target)}");
        }

        target = target with { Pod = pod };
        var controller = target.Controller;
        var podName = pod.Metadata.Name;
        var action = new ActionRecord
        {
            Id = request.ActionId,
            Kind = Kind,
            Target = member,
            Description = $"`DELETE /api/v1/namespaces/{Kube.Namespace}/pods/{podName} {DeleteBody(pod.Metadata.Uid)}` " +
                          $"(what `kubectl delete pod -n {Kube.Namespace} {podName} --grace-period={GraceSeconds}` sends, bound to this pod's uid): the kubelet stops {member}'s containers " +
                          $"(SIGTERM, SIGKILL after {GraceSeconds} s), so its PostgreSQL stops taking writes; " +
                          (controller is null ? "the pod has NO controller and is not created again" : $"{controller} creates the pod again and Patroni starts PostgreSQL as a replica of {leader.Name} (pg_rewind when use_pg_rewind is on)") +
                          $". Then wait until {member} is back as a running replica on {leader.Name}'s timeline (or its pod is gone) with {leader.Name} the only primary.",
            BasedOn = $"/cluster: the leader key is held by {target.LeaderText}; {member}: {target.Evidence}; pod {podName} (uid {pod.Metadata.Uid}, node {pod.Spec?.NodeName ?? "unknown"}, {(controller is null ? "no controller" : "controlled by " + controller)}, phase {pod.Status?.Phase ?? "unknown"}). {bug}",
            ObservedFingerprint = target.Fingerprint,
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MemberParameter] = member,
                [LeaderParameter] = leader.Name,
                [TimelineParameter] = Text(look.LeaderTimeline),
                [NamespaceParameter] = Kube.Namespace,
                [PodParameter] = podName,
                [PodUidParameter] = pod.Metadata.Uid ?? string.Empty,
                [GraceParameter] = GraceSeconds.ToString(CultureInfo.InvariantCulture),
                [ApiParameter] = target.Address?.ApiUrl ?? string.Empty,
                [HostParameter] = target.Address?.Host ?? string.Empty,
                [PortParameter] = target.Address?.Port?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            },
            Figures = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ActionFigureKeys.OldLeader] = member,
                [ActionFigureKeys.NewLeader] = leader.Name,
                [ActionFigureKeys.TimelineAfter] = Text(look.LeaderTimeline),
            },
            RiskWarning = controller is null
                ? $"pod {podName} has no controller: deleting it removes {member} for good (nothing creates it again); re-create it from its manifest to get a replica back."
                : null,
            DryRun = request.DryRun,
            ProposedBy = request.ProposedBy,
            ProposedAt = request.Now,
            ExpiresAt = request.Now + request.Expiry,
        };
        Log.Proposed(logger, member, podName, leader.Name);
        return ActionProposal.Of(action);
    }

    public async Task<string> ObserveAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var target = await ReadApprovedTargetAsync(action, cancellationToken);
        return target.Fingerprint;
    }

    public async Task<ActionOutcome> ExecuteAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        var (ns, pod, uid, grace) = (action.Parameters[NamespaceParameter], action.Parameters[PodParameter], action.Parameters[PodUidParameter], Grace(action));
        if (action.DryRun)
        {
            return ActionOutcome.Success($"Dry run: would DELETE pod {ns}/{pod} (uid {uid}) with gracePeriodSeconds {grace}; nothing was sent.");
        }

        if (!kubernetes.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        // The re-check, just before the side effect: the same healthy leader, the member still not a replica of it,
        // the same pod. Anything else stops here for a new approval.
        var target = await ReadApprovedTargetAsync(action, cancellationToken);
        if (Unsafe(target.Look) is { } unsafeReason)
        {
            return ActionOutcome.StateChanged(action.ObservedFingerprint, target.Fingerprint + " — " + unsafeReason);
        }

        if (!string.Equals(target.Fingerprint, action.ObservedFingerprint, StringComparison.Ordinal))
        {
            var why = target.State == FenceTargetState.Replica
                ? $"{target.Member} is back as a replica ({target.Evidence}): nothing to fence"
                : target.Pod is null ? $"pod {pod} is gone" : $"/cluster: {target.LeaderText}";
            return ActionOutcome.StateChanged(action.ObservedFingerprint, target.Fingerprint + " — " + why);
        }

        progress.Report($"Re-checked: {target.LeaderText} holds the leader key and is healthy; {target.Member}: {target.Evidence}; pod {pod} uid {uid}. Deleting it.");
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod, ns, new V1DeleteOptions { GracePeriodSeconds = grace, Preconditions = new V1Preconditions { Uid = uid } },
                gracePeriodSeconds: grace, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.StatusOf(ex) is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // 409: the uid precondition failed (the pod was replaced since the re-check); 404: it is gone. Nothing was deleted.
            return ActionOutcome.StateChanged(action.ObservedFingerprint, $"pod {pod} with uid {uid} no longer exists ({KubernetesErrors.Describe(ex, "pods delete")}); nothing was deleted");
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Deleting pod {ns}/{pod} failed: {KubernetesErrors.Describe(ex, "pods delete (manifests/components/fence-stale-primary)")}. Whether the API server applied it is decided by the verification.",
                new Dictionary<string, string>(action.Figures, StringComparer.Ordinal));
        }

        Log.Deleted(logger, ns, pod, grace);
        var figures = new Dictionary<string, string>(action.Figures, StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = "1" };
        return ActionOutcome.Success($"pod {ns}/{pod} (uid {uid}) deleted with a {grace} s grace period: {target.Member}'s PostgreSQL stops; {(target.Controller is { } c ? c + " creates the pod again" : "nothing creates it again (no controller)")}.", figures);
    }

    /// <summary>Until the deadline: the member back as a running replica on the leader's timeline, one primary; at the deadline "gone" passes too.</summary>
    public async Task<ActionOutcome> VerifyAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing was deleted, nothing to verify.");
        }

        var member = action.Parameters[MemberParameter];
        var polled = await Poll.UntilAsync(time, _options.VerifyDeadline, _options.PollInterval,
            ct => ReadApprovedTargetAsync(action, ct),
            t => t.State == FenceTargetState.Replica && OnlyPrimary(t) is null,
            cancellationToken);
        var last = polled.Last;
        var figures = new Dictionary<string, string>(action.Figures, StringComparer.Ordinal);
        if (last.Pod?.Metadata?.Uid is { } after && !string.Equals(after, action.Parameters.GetValueOrDefault(PodUidParameter), StringComparison.Ordinal))
        {
            figures[PodUidAfterFigure] = after;
        }

        var leaderText = last.LeaderText;
        if (polled.Converged)
        {
            figures[ActionFigureKeys.OldLeaderState] = "replica";
            figures[ActionFigureKeys.FenceOldPrimary] = "false";
            var lag = last.Look.Member(member)?.LagBytes is { } bytes ? ByteSize.Format(bytes) : "unknown";
            return ActionOutcome.Success($"{member} is back as a running replica on timeline {Text(last.Look.LeaderTimeline)} (lag {lag}; {last.Evidence}); the only primary is {leaderText}" +
                                         (figures.TryGetValue(PodUidAfterFigure, out var uid) ? $"; pod re-created (uid {uid})." : "."), figures);
        }

        // "Gone" only on evidence: the approved pod was removed or replaced (its containers are dead), and nothing
        // answers as a primary for the member. A member that merely dropped out of /cluster proves nothing.
        var extra = OnlyPrimary(last);
        var podReplaced = last.Pod is null || !string.Equals(last.Pod.Metadata?.Uid, action.Parameters.GetValueOrDefault(PodUidParameter), StringComparison.Ordinal);
        if (podReplaced && last.State is FenceTargetState.Absent or FenceTargetState.Unanswering or FenceTargetState.OldTimeline && extra is null)
        {
            figures[ActionFigureKeys.OldLeaderState] = "not back";
            figures[ActionFigureKeys.FenceOldPrimary] = "false";
            return ActionOutcome.Success($"{member} is fenced: pod {action.Parameters[PodParameter]} (uid {action.Parameters[PodUidParameter]}) is {(last.Pod is null ? "gone" : "replaced (uid " + last.Pod.Metadata?.Uid + ")")} and {member} no longer answers as a primary ({last.Evidence}), but it has not come back as a replica within {Durations.Format(_options.VerifyDeadline)}; the only primary is {leaderText}. The leader watch goes on looking for it.", figures);
        }

        figures[ActionFigureKeys.OldLeaderState] = last.State == FenceTargetState.Primary ? "primary" : "not back";
        figures[ActionFigureKeys.FenceOldPrimary] = podReplaced && last.State != FenceTargetState.Primary ? "false" : "true";
        return ActionOutcome.Failure($"Not verified within {Durations.Format(_options.VerifyDeadline)}: {member}: {last.Evidence}{(podReplaced ? string.Empty : $"; pod {action.Parameters[PodParameter]} still has uid {action.Parameters[PodUidParameter]} (not deleted)")}; /cluster: {leaderText}{(extra is null ? string.Empty : "; " + extra)}.", figures);
    }

    /// <summary>Never deletes again: a pod with another uid, or none, or one terminating means the delete went out.</summary>
    public async Task<ActionOutcome> ReconcileAsync(ActionRecord action, IProgress<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(progress);
        if (action.DryRun)
        {
            return ActionOutcome.Success("Dry run: nothing was sent.");
        }

        var (ns, pod, uid) = (action.Parameters[NamespaceParameter], action.Parameters[PodParameter], action.Parameters[PodUidParameter]);
        if (!kubernetes.TryGetClient(out var client, out var reason))
        {
            return ActionOutcome.Failure(reason);
        }

        try
        {
            var current = await ReadPodAsync(client, ns, pod, cancellationToken);
            var applied = current is null || !string.Equals(current.Metadata?.Uid, uid, StringComparison.Ordinal) || current.Metadata?.DeletionTimestamp is not null;
            if (!applied)
            {
                return ActionOutcome.Failure($"The delete of pod {ns}/{pod} was not applied before the bot restarted (the pod with uid {uid} is still there, not terminating). Nothing was deleted; propose the fence again if it is still needed.");
            }

            progress.Report($"The delete of pod {ns}/{pod} went out before the restart ({(current is null ? "the pod is gone" : current.Metadata?.DeletionTimestamp is not null ? "it is terminating" : "a new pod with uid " + current.Metadata?.Uid + " replaced it")}); verifying.");
            return ActionOutcome.Success($"pod {ns}/{pod} (uid {uid}) was deleted before the bot restarted; nothing was sent again.",
                new Dictionary<string, string>(action.Figures, StringComparer.Ordinal) { [ActionOutcome.SideEffectsDoneFigure] = "1" });
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return ActionOutcome.Failure($"Cannot reconcile the delete of pod {ns}/{pod}: {KubernetesErrors.Describe(ex, "pods get")}. Nothing was sent again.");
        }
    }

    /// <summary>Why nothing may be fenced on this look (no /cluster, no healthy leader), or null.</summary>
    private static string? Unsafe(ClusterLook look)
    {
        if (look.Cluster is null)
        {
            return $"Nothing is fenced without knowing who holds the leader key: {look.Error}.";
        }

        if (look.Cluster.Leaders.Count > 1)
        {
            return $"/cluster names {look.Cluster.Leaders.Count} leaders ({look.Cluster.LeaderKey}): who holds the key is not clear, so nothing is fenced.";
        }

        if (!look.LeaderHealthy)
        {
            return look.Leader is { } l
                ? $"The key holder {l.Name} is not a healthy leader ({l.State}; its /patroni: {look.Status(l.Name)?.Role ?? "no answer"} {look.Status(l.Name)?.State}): fencing another member could take away the only primary. Restore or fail over to a healthy leader first."
                : "No member holds the leader key: the member to fence may be the only primary. Fail over to a healthy member first (`propose failover`).";
        }

        return null;
    }

    /// <summary>Another member than the leader answering as a primary, or null when the leader is the only one.</summary>
    private static string? OnlyPrimary(FenceTarget target)
    {
        var others = target.Look.Statuses.Where(s => s.Value is { IsPrimary: true } && !string.Equals(s.Key, target.Leader?.Name, StringComparison.Ordinal)).Select(s => s.Key).ToList();
        return others.Count == 0 && target.State != FenceTargetState.Primary && target.Look.LeaderHealthy
            ? null
            : $"{string.Join(", ", others.DefaultIfEmpty(target.Member))} still answer(s) as a primary";
    }

    /// <summary>The member named by the action, read again (pod included when pod fencing is on).</summary>
    private async Task<FenceTarget> ReadApprovedTargetAsync(ActionRecord action, CancellationToken cancellationToken)
    {
        var member = action.Parameters[MemberParameter];
        var known = new Domain.Incidents.MemberAddress(
            NullIfEmpty(action.Parameters.GetValueOrDefault(ApiParameter)),
            NullIfEmpty(action.Parameters.GetValueOrDefault(HostParameter)),
            int.TryParse(action.Parameters.GetValueOrDefault(PortParameter), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null);
        var look = await ClusterLookReader.ReadAsync(patroni, new Dictionary<string, string?> { [member] = known.ApiUrl }, cancellationToken);
        var target = await ReadTargetAsync(look, member, known, cancellationToken);
        if (!kubernetes.TryGetClient(out var client, out _))
        {
            return target;
        }

        try
        {
            var pod = await ReadPodAsync(client, action.Parameters[NamespaceParameter], action.Parameters[PodParameter], cancellationToken);
            return target with { Pod = pod };
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return target with { Evidence = target.Evidence + $"; its pod could not be read ({KubernetesErrors.Describe(ex, "pods get")})" };
        }
    }

    /// <summary>
    /// How the member answers: its /patroni, else its PostgreSQL's pg_is_in_recovery() at the address /cluster gives
    /// (or <paramref name="known"/>, where the proposal saw it, once it dropped out of /cluster).
    /// </summary>
    private async Task<FenceTarget> ReadTargetAsync(ClusterLook look, string member, Domain.Incidents.MemberAddress? known, CancellationToken cancellationToken)
    {
        var target = await ClassifyAsync(look, member, known, cancellationToken);
        var m = look.Member(member);
        return target with { Address = m is not null ? new Domain.Incidents.MemberAddress(m.ApiUrl, m.Host, m.Port) : known };
    }

    private async Task<FenceTarget> ClassifyAsync(ClusterLook look, string member, Domain.Incidents.MemberAddress? known, CancellationToken cancellationToken)
    {
        var m = look.Member(member);
        var leaderTimeline = look.LeaderTimeline;

        // Only a running /patroni speaks for PostgreSQL: stopped, stopping or unknown, 3.0.2 sends Patroni's internal
        // role (still "master" on a leader shutting down for a switchover), so PostgreSQL itself is asked then.
        var reported = look.Status(member);
        if (reported is { State: "running" } status)
        {
            var timeline = status.Timeline ?? m?.Timeline;
            if (status.IsPrimary)
            {
                return new(look, member, FenceTargetState.Primary, $"its /patroni answers role {status.Role} ({status.State}, timeline {Text(timeline)}) without the leader key", null);
            }

            var said = $"its /patroni answers role {status.Role} ({status.State}, timeline {Text(timeline)}; /cluster: {m?.State ?? "absent"}, timeline {Text(m?.Timeline)})";
            return m is { IsRunning: true, IsLeader: false } && status.State is "running" && timeline is { } t && t == leaderTimeline
                ? new(look, member, FenceTargetState.Replica, said, null)
                : new(look, member, m is null ? FenceTargetState.Absent : FenceTargetState.OldTimeline, said, null);
        }

        var patroniSays = reported is null ? "its Patroni does not answer" : $"its /patroni answers state {reported.State ?? "unknown"} (role {reported.Role ?? "unknown"}, Patroni's own, not PostgreSQL's)";
        var (host, port) = m is { Host: { Length: > 0 } } ? (m.Host, m.Port) : (known?.Host, known?.Port);
        var inRecovery = host is { Length: > 0 } && port is { } p ? await InRecoveryAsync(host, p, cancellationToken) : null;
        var where = host is { Length: > 0 } && port is { } p2 ? string.Create(CultureInfo.InvariantCulture, $" at {host}:{p2}") : string.Empty;
        return inRecovery switch
        {
            false => new(look, member, FenceTargetState.Primary, $"{patroniSays} and its PostgreSQL{where} answers pg_is_in_recovery() = false: a primary without the leader key", null),
            true => new(look, member, FenceTargetState.Unanswering, $"{patroniSays}; its PostgreSQL{where} is in recovery", null),
            null when m is null => new(look, member, FenceTargetState.Absent, $"it is not in /cluster (its member key expired: its Patroni is gone) and nothing answers for it{(where.Length == 0 ? " (its PostgreSQL's address is unknown, so it could not be asked)" : where)}", null),
            null => new(look, member, FenceTargetState.Unanswering, $"in /cluster ({m.State}, timeline {Text(m.Timeline)}) but {patroniSays} and its PostgreSQL{where} does not answer: hung or dead, and a hung primary can resume", null),
        };
    }

    /// <summary>
    /// Without a member named: one that answers as a primary without the key, else the leader before the last switch
    /// (from /history) when it is not back as a replica. Null when neither.
    /// </summary>
    private async Task<string?> DefaultMemberAsync(ClusterLook look, CancellationToken cancellationToken)
    {
        var leader = look.Leader!.Name;
        foreach (var member in look.Cluster!.Replicas.Select(r => r.Name).Where(n => !string.Equals(n, leader, StringComparison.Ordinal)))
        {
            if ((await ReadTargetAsync(look, member, null, cancellationToken)).State == FenceTargetState.Primary)
            {
                return member;
            }
        }

        return look.HistoryPreviousLeader is { } previous && !string.Equals(previous, leader, StringComparison.Ordinal)
               && (await ReadTargetAsync(look, previous, null, cancellationToken)).State != FenceTargetState.Replica
            ? previous
            : null;
    }

    private async Task<bool?> InRecoveryAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (!postgres.IsConfigured)
        {
            return null;
        }

        try
        {
            await using var connection = await postgres.OpenMemberAsync(host, port, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is bool b ? b : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private bool PodFencingOn(out string reason)
    {
        if (!kubernetes.TryGetClient(out _, out var off))
        {
            reason = $"The bot cannot fence outside Kubernetes ({off}).";
            return false;
        }

        if (!Kube.FencePods)
        {
            reason = "Fencing by pod deletion is off (Cerberus__Kubernetes__FencePods=false; the optional component manifests/components/fence-stale-primary grants pods delete and turns it on).";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>The member's pod: named like the member (Patroni on Kubernetes names members after their pods), else with the member's IP.</summary>
    private async Task<(V1Pod? Pod, string? Problem)> FindPodAsync(FenceTarget target, CancellationToken cancellationToken)
    {
        kubernetes.TryGetClient(out var client, out _);
        try
        {
            var pods = await client!.CoreV1.ListNamespacedPodAsync(Kube.Namespace, labelSelector: Kube.PatroniClusterLabel, cancellationToken: cancellationToken);
            var host = target.Look.Member(target.Member)?.Host;
            var pod = pods.Items.FirstOrDefault(p => string.Equals(p.Metadata?.Name, target.Member, StringComparison.Ordinal))
                      ?? pods.Items.FirstOrDefault(p => host is { Length: > 0 } && string.Equals(p.Status?.PodIP, host, StringComparison.Ordinal));
            if (pod is not null && string.Equals(pod.Metadata?.Name, target.Leader?.Name, StringComparison.Ordinal))
            {
                return (null, $"The pod found for {target.Member} is the leader's ({pod.Metadata?.Name}): nothing is deleted.");
            }

            return pod is null
                ? (null, $"No pod in namespace {Kube.Namespace} with label {Kube.PatroniClusterLabel} is named {target.Member} or has its IP ({host ?? "unknown"}).")
                : (pod, null);
        }
        catch (Exception ex) when (KubernetesErrors.IsFailure(ex, cancellationToken))
        {
            return (null, $"The pods could not be listed: {KubernetesErrors.Describe(ex, "pods list")}.");
        }
    }

    private static async Task<V1Pod?> ReadPodAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// Outside Kubernetes: stop the member's PostgreSQL directly with pg_ctl and leave Patroni running. Why not
    /// `systemctl stop patroni`: a hung Patroni may never stop its PostgreSQL, and a Patroni killed leaves it running
    /// as a primary; with another member holding the leader key a live Patroni starts PostgreSQL again as a replica.
    /// </summary>
    private static string ManualSteps(FenceTarget target)
    {
        var member = target.Member;
        var m = target.Look.Member(member);
        var host = m is { Host: { } h } ? (m.Port is { } p ? string.Create(CultureInfo.InvariantCulture, $"{h}, PostgreSQL port {p}") : h) : "its host";
        var leader = target.Leader?.Name ?? "the leader";
        return $"on the host of {member} ({host}), as the postgres OS user, `pg_ctl stop -D <data_dir> -m fast` (data_dir = postgresql.data_dir in {member}'s Patroni configuration); " +
               "if it has not stopped within 10 s (a hung disk blocks the shutdown checkpoint), `pg_ctl stop -D <data_dir> -m immediate`. " +
               $"Leave Patroni running: with {leader} holding the leader key it starts PostgreSQL again as a replica (pg_rewind when use_pg_rewind is on). " +
               "Not `systemctl stop patroni` and not `patronictl restart`: a hung Patroni may not stop its PostgreSQL, a killed Patroni leaves it running as a primary, and a restart keeps its role. " +
               "If the host cannot be reached, cut it off (power it off, or block its PostgreSQL port) before anything else.";
    }

    private string DeleteBody(string? uid) =>
        $"{{\"gracePeriodSeconds\":{GraceSeconds.ToString(CultureInfo.InvariantCulture)},\"preconditions\":{{\"uid\":\"{uid}\"}}}}";

    private static int Grace(ActionRecord action) =>
        int.TryParse(action.Parameters.GetValueOrDefault(GraceParameter), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 5;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unknown";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex MemberName();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposed fencing {Member} (pod {Pod}); {Leader} holds the leader key")]
        public static partial void Proposed(ILogger logger, string member, string pod, string leader);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Deleted pod {Namespace}/{Pod} with a {GraceSeconds} s grace period to fence a stale primary")]
        public static partial void Deleted(ILogger logger, string @namespace, string pod, int graceSeconds);
    }
}
