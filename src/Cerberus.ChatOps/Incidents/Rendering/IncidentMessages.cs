using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Commands;
using Cerberus.ChatOps.Incidents.Engine;
using Cerberus.ChatOps.Slack.BlockKit;
using Cerberus.ChatOps.Slack.Outbound;

namespace Cerberus.ChatOps.Incidents.Rendering;

/// <summary>
/// Everything the engine says in Slack. Each message says what happened and what to do next; every text that
/// comes from a user, the database or a probe is redacted and escaped.
/// </summary>
internal static class IncidentMessages
{
    public static string Tag(Incident incident) => incident.Drill ? "[DRILL] " : incident.IsLiveDrill ? "[LIVE DRILL] " : string.Empty;

    public static SlackMessage Header(Incident incident, ContactsOptions contacts, DateTimeOffset now)
    {
        var rtoLeft = Incident.RecoveryTimeObjective - (now - (incident.DetectedAt ?? incident.DeclaredAt));
        var title = $"{Tag(incident)}:rotating_light: {incident.Id} · {incident.Severity.ToString().ToUpperInvariant()} · {incident.Summary}";
        var budget = incident.IsOpen
            ? (rtoLeft > TimeSpan.Zero ? $"{Durations.Format(rtoLeft)} left of the 4 h RTO" : $"RTO missed by {Durations.Format(-rtoLeft)}")
            : $"closed after {Durations.Format((incident.ResolvedAt ?? now) - (incident.DetectedAt ?? incident.DeclaredAt))}";
        var builder = new MessageBuilder()
            .Add(Blocks.Header(title))
            .Add(Blocks.Fields(
            [
                $"*State*\n{StateText(incident)}",
                $"*Incident commander*\n{Format.User(incident.Commander)}",
                $"*Severity*\n{incident.Severity.ToString().ToUpperInvariant()} (runbook: database outage)",
                $"*Budget*\nRTO 4 h · RPO 15 min\n{budget}",
                $"*Declared*\n{Format.Time(incident.DeclaredAt)} by {Format.User(incident.DeclaredBy)}",
                $"*Contacts*\n{ContactLine(contacts.Primary, contacts.PrimarySlack, contacts.PrimaryEmail)} (primary)\n{ContactLine(contacts.Escalation, contacts.EscalationSlack, contacts.EscalationEmail)} (escalation)",
            ]));
        if (incident.LatestDiagnosis is { } diagnosis)
        {
            builder.Add(Blocks.Section($"*Diagnosis:* {Format.Safe(diagnosis.Sentence)}"));
        }

        if (incident.IsOpen && LeaderWatchMessages.HeaderLine(incident) is { } watch)
        {
            builder.Add(Blocks.Section(watch));
        }

        if (incident.IsOpen)
        {
            builder.Add(Blocks.Actions("header", [
                Blocks.Button("Run diagnostics again", ButtonIds.Diagnose, incident.Id),
                Blocks.Button($"Escalate to {contacts.Escalation}", ButtonIds.Escalate, incident.Id, ButtonStyle.Danger,
                    new ConfirmDialog("Escalate?", $"This pages {contacts.Escalation} into the incident thread.", "Escalate", "Cancel", ButtonStyle.Danger)),
            ]));
        }

        builder.Add(Blocks.Context(incident.State == IncidentState.Diagnosing
            ? "The runbook's diagnostics are running in parallel (connectivity, connections, Patroni, replication, disk, Kubernetes, app health); the findings follow in the thread below."
            : "Work happens in the thread below · `/dbincident status` · `/dbincident help`"));
        return builder.Build($"{Tag(incident)}{incident.Id} {incident.Severity.ToString().ToUpperInvariant()}: {incident.Summary} — {StateText(incident)}");
    }

    public static string ContactLine(string name, string slack, string email)
    {
        var mention = string.IsNullOrWhiteSpace(slack) ? string.Empty : Mention(slack) + " ";
        return $"{mention}{SlackText.Escape(name)} ({SlackText.Escape(email)})";
    }

    public static string Mention(string slackId) =>
        slackId.StartsWith('S') ? $"<!subteam^{slackId}>" : $"<@{slackId}>";

    public static string StateText(Incident incident) => incident.State switch
    {
        IncidentState.Declared => "Declared",
        IncidentState.Diagnosing => ":mag: Diagnosing",
        IncidentState.AwaitingDecision => ":thinking_face: Awaiting a decision",
        IncidentState.AwaitingApproval => $":raised_hand: Awaiting approval ({incident.PendingApproval?.Kind})",
        IncidentState.Executing => $":gear: Executing {incident.RunningAction?.Kind}",
        IncidentState.Verifying => ":hourglass_flowing_sand: Verifying",
        IncidentState.Mitigated => ":white_check_mark: Mitigated",
        IncidentState.Resolved => ":large_green_circle: Resolved",
        IncidentState.Closed => "Closed",
        IncidentState.Cancelled => "Cancelled",
        _ => incident.State.ToString(),
    };

    public static SlackMessage Diagnosis(Incident incident, DiagnosisReport report, IReadOnlyCollection<RemediationKind> available, bool dryRunOnly)
    {
        var builder = new MessageBuilder()
            .Add(Blocks.Header($"{Tag(incident)}Diagnostics: {Classify(report.Classification)}"))
            .Add(Blocks.Section($"*{Format.Safe(report.Sentence)}*"));
        foreach (var result in report.Results)
        {
            var details = result.Details.Count == 0
                ? string.Empty
                : "\n" + string.Join("\n", result.Details.Take(8).Select(d => "• " + Format.Safe(d)))
                  + (result.Details.Count > 8 ? $"\n• … {result.Details.Count - 8} more" : string.Empty);
            builder.Add(Blocks.Section($"{Format.Icon(result.Status)} *{result.Probe}* {Format.Label(result.Status)} · {Format.Safe(result.Summary)}{details}"));
        }

        var recommended = report.Recommended.Where(available.Contains).Distinct().ToList();
        var others = available.Where(k => !recommended.Contains(k)).ToList();
        if (recommended.Count > 0)
        {
            builder.Add(Blocks.Section("*Recommended next steps* (each is previewed on an approval card; nothing runs before an approver confirms):"));
            builder.Add(Blocks.Actions("recommended", [.. recommended.SelectMany(k => ActionButtons(incident, k, primary: true, dryRunOnly))]));
        }
        else
        {
            builder.Add(Blocks.Section(report.Classification == Classification.Healthy
                ? "Nothing to remediate from what the probes see. If users still see errors, look at the application, or pick an action below."
                : "No action is recommended from these findings; the commander may still pick one below."));
        }

        if (others.Count > 0)
        {
            builder.Add(Blocks.Context("*More actions* (the incident commander may know more than the probes):"));
            builder.Add(Blocks.Actions("more", [.. others.SelectMany(k => ActionButtons(incident, k, primary: false, dryRunOnly))]));
        }

        builder.Add(Blocks.Context($"Ran {report.Results.Count} probes in {Durations.Format(report.FinishedAt - report.StartedAt)} · {Format.Time(report.FinishedAt)} · `/dbincident diagnose` runs them again"));
        return builder.Build($"{Tag(incident)}{incident.Id} diagnostics: {report.Classification} — {SlackText.Truncate(report.Sentence, 300)}");
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> ActionButtons(Incident incident, RemediationKind kind, bool primary, bool dryRunOnly)
    {
        var name = ActionRequestParser.CommandName(kind);
        if (!dryRunOnly)
        {
            yield return Blocks.Button(ActionRequestParser.Title(kind), ButtonIds.Propose, ButtonIds.Value(incident.Id, name), primary ? ButtonStyle.Primary : ButtonStyle.Default);
        }

        yield return Blocks.Button($"Dry run: {name}", ButtonIds.DryRun, ButtonIds.Value(incident.Id, name));
    }

    public static string Classify(Classification classification) => classification switch
    {
        Classification.Healthy => "healthy",
        Classification.PrimaryUnresponsive => "primary unresponsive",
        Classification.DiskFull => "disk full",
        Classification.ConnectionExhaustion => "connection exhaustion",
        Classification.ReplicationBroken => "replication broken",
        Classification.TransactionIdWraparound => "transaction-ID wraparound",
        Classification.DcsUnreachable => "DCS unreachable",
        _ => "inconclusive",
    };

    public static SlackMessage ApprovalCard(Incident incident, ActionRecord action, ApprovalPolicy policy, IReadOnlyList<string> approvers)
    {
        var builder = new MessageBuilder()
            .Add(Blocks.Header($"{Tag(incident)}Approval needed: {ActionRequestParser.Title(action.Kind)} · {action.Target}"))
            .Add(Blocks.Section($"*Will run:*\n{Format.Safe(action.Description)}"))
            .Add(Blocks.Section($"*Against:* {Format.Safe(action.Target)}\n*Based on the observed state:* {Format.Safe(action.BasedOn)}\n_Just before running, this state is read again; if it changed, nothing runs and a fresh proposal is posted._"));
        if (action.RiskWarning is not null)
        {
            builder.Add(Blocks.Section($":warning: *Risk you must accept explicitly:* {Format.Safe(action.RiskWarning)}"));
        }

        if (!incident.Drill && policy.Roster.Count == 0)
        {
            builder.Add(Blocks.Section($":no_entry: *Nobody can approve this:* the approver roster is empty. Set `{ApprovalPolicy.RosterSetting}`, `…__1`, … (Slack user ids or user groups) and restart; until then no change to production can run."));
        }

        foreach (var problem in policy.RosterProblems)
        {
            builder.Add(Blocks.Section($":warning: {Format.Safe(problem)}"));
        }

        var proposedBy = action.ReproposalOf is null
            ? $"{Format.User(action.ProposedBy)} at {Format.Clock(action.ProposedAt)}"
            : $"{Format.User(action.ProposedBy)} (re-proposed by the bot at {Format.Clock(action.ProposedAt)} after the state changed; replaces `{action.ReproposalOf}`)";
        builder.Add(Blocks.Fields(
        [
            $"*Proposed by*\n{proposedBy}",
            $"*Expires*\n{Format.Clock(action.ExpiresAt)} ({Durations.Format(action.ExpiresAt - action.ProposedAt)})",
            $"*May approve*\n{MayApprove(incident, policy, approvers)}",
            $"*Second person*\n{SecondPerson(incident, action, policy)}",
            $"*Ledger id*\n`{action.Id}`",
        ]));
        var value = ButtonIds.Value(incident.Id, action.Id);
        var approve = action.RiskWarning is null
            ? Blocks.Button("Approve", ButtonIds.Approve, value, ButtonStyle.Primary,
                new ConfirmDialog($"Run {ActionRequestParser.Title(action.Kind)}?", $"This runs now against {action.Target}: {action.Description}", "Run it", "Not yet"))
            : Blocks.Button("Approve, accepting the risk", ButtonIds.ApproveAcceptingRisk, value, ButtonStyle.Danger,
                new ConfirmDialog("Accept the risk?", action.RiskWarning, "Accept and run", "Not yet", ButtonStyle.Danger));
        builder.Add(Blocks.Actions("approval", [approve, Blocks.Button("Reject", ButtonIds.Reject, value)]));
        return builder.Build($"{Tag(incident)}{incident.Id}: approval needed for {ActionRequestParser.Title(action.Kind)} on {action.Target}");
    }

    /// <summary>Who may approve, as the card says it: the roster (users mentioned, groups named), or why nobody may.</summary>
    internal static string MayApprove(Incident incident, ApprovalPolicy policy, IReadOnlyList<string> approvers)
    {
        if (incident.Drill)
        {
            return "anyone (drill: nothing real runs; in a real incident only the approver roster)";
        }

        if (policy.Roster.Count == 0)
        {
            return $"nobody — the approver roster is empty (`{ApprovalPolicy.RosterSetting}`)";
        }

        var named = approvers.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim())
            .Select(a => ApproverRoster.IsGroup(a) ? $"members of user group `{a}`" : a.StartsWith("cli:", StringComparison.Ordinal) ? $"`{a}`" : Format.User(a))
            .ToList();
        return named.Count == 0
            ? "the local console's user"
            : "the approver roster: " + string.Join(", ", named) + " (being the incident commander is not enough)";
    }

    /// <summary>Which second-person rule applies to this card, and why.</summary>
    internal static string SecondPerson(Incident incident, ActionRecord action, ApprovalPolicy policy)
    {
        if (incident.Drill)
        {
            return "not required in a drill";
        }

        var risk = ActionRisk.Assess(action);
        var rule = $"`Cerberus__Approval__SecondPersonFor={policy.SecondPersonFor}`";
        return policy.NeedsSecondPerson(action, incident.Drill)
            ? $"required: someone other than {Format.User(action.ProposedBy)} approves — {(policy.SecondPersonFor == SecondPersonRule.All ? "every approval needs one" : Format.Safe(risk.Reason))} ({rule})"
            : $"not required — {(policy.SecondPersonFor == SecondPersonRule.None ? "the rule is off" : Format.Safe(risk.Reason))} ({rule})";
    }

    public static SlackMessage DryRun(Incident incident, ActionRecord action) =>
        new MessageBuilder()
            .Add(Blocks.Section($":test_tube: *{Tag(incident)}Dry run — {ActionRequestParser.Title(action.Kind)} · {Format.Safe(action.Target)}*\n*Would run:*\n{Format.Safe(action.Description)}"))
            .Add(Blocks.Section($"*Based on:* {Format.Safe(action.BasedOn)}" + (action.RiskWarning is null ? string.Empty : $"\n:warning: {Format.Safe(action.RiskWarning)}")))
            .Add(Blocks.Context("Nothing was run. Use the action's button (not the dry run) to get an approval card."))
            .Build($"{Tag(incident)}Dry run of {ActionRequestParser.Title(action.Kind)}: nothing was run");

    public static SlackMessage Decided(Incident incident, ActionRecord action, string verdict) =>
        new MessageBuilder()
            .Add(Blocks.Section($"{Tag(incident)}*{ActionRequestParser.Title(action.Kind)} · {Format.Safe(action.Target)}* — {verdict}"))
            .Add(Blocks.Context($"Ledger id `{action.Id}` · proposed by {Format.User(action.ProposedBy)}"))
            .Build($"{Tag(incident)}{ActionRequestParser.Title(action.Kind)}: {verdict}");

    public static SlackMessage Text(string text) => new MessageBuilder().Add(Blocks.Section(text)).Build(text);

    public static SlackMessage Status(Incident incident, DateTimeOffset now)
    {
        var lines = new List<string>
        {
            $"*{Tag(incident)}{incident.Id}* · {StateText(incident)} · commander {Format.User(incident.Commander)}",
            $"Open for {Durations.Format(now - incident.DeclaredAt)} (detected {Format.Time(incident.DetectedAt ?? incident.DeclaredAt)}); RTO left: {Durations.Format(Incident.RecoveryTimeObjective - (now - (incident.DetectedAt ?? incident.DeclaredAt)))}",
        };
        if (incident.LatestDiagnosis is { } d)
        {
            lines.Add($"Diagnosis: {Format.Safe(d.Sentence)}");
        }

        if (incident.PendingApproval is { } p)
        {
            lines.Add($"Waiting for approval: {ActionRequestParser.Title(p.Kind)} on {Format.Safe(p.Target)} (expires {Format.Clock(p.ExpiresAt)})");
        }

        if (incident.RunningAction is { } r)
        {
            lines.Add($"Running: {ActionRequestParser.Title(r.Kind)} on {Format.Safe(r.Target)}");
        }

        foreach (var undo in incident.OutstandingUndo)
        {
            lines.Add($":warning: Not undone yet: {ActionRequestParser.Title(undo.Kind)} on {Format.Safe(undo.Target)} (`/dbincident propose {ActionRequestParser.CommandName(undo.UndoKind!.Value)}`)");
        }

        lines.Add($"Next: {NextStep(incident)}");
        return Text(string.Join("\n", lines));
    }

    public static string NextStep(Incident incident) => incident.State switch
    {
        IncidentState.Declared or IncidentState.Diagnosing => "wait for the diagnostics (posted in the thread).",
        IncidentState.AwaitingDecision => "pick an action from the diagnostics message, or `/dbincident propose <action>`; `/dbincident resolve <root cause>` when it is over.",
        IncidentState.AwaitingApproval => "an approver confirms or rejects the approval card in the thread.",
        IncidentState.Executing or IncidentState.Verifying => "wait: the action runs and is verified; progress is posted in the thread.",
        IncidentState.Mitigated => "check the application; more actions if needed; then `/dbincident resolve <root cause>`.",
        IncidentState.Resolved => "read the post-incident document; `/dbincident close` when reviewed.",
        _ => "nothing: the incident is over.",
    };

    /// <summary>Recent incidents; <paramref name="everywhere"/> false means only the invoking channel's were listed.</summary>
    public static SlackMessage List(IReadOnlyList<IncidentSummary> incidents, bool everywhere = true)
    {
        var scope = everywhere ? string.Empty : "\n_Only this channel's incidents: the approver roster sees every channel's._";
        if (incidents.Count == 0)
        {
            return Text((everywhere ? "No incidents yet." : "No incidents in this channel yet.") + " `/dbincident start <summary>` opens one." + scope);
        }

        var lines = incidents.Select(i =>
            $"• *{(i.Drill ? "[DRILL] " : string.Empty)}{i.Id}* {Format.Safe(i.Summary)} — {i.State} · <#{i.Channel}> · IC {Format.User(i.Commander)} · declared {Format.Time(i.DeclaredAt)}");
        return Text(string.Join("\n", lines) + scope);
    }

    public static SlackMessage Help(string? problem)
    {
        var text = (problem is null ? string.Empty : $":grey_question: {Format.Safe(problem)}\n\n") +
            "*`/dbincident` — PostgreSQL outage runbook, guided*\n" +
            "• `start [summary]` — declare an incident here (CRITICAL, RTO 4 h, RPO 15 min) and run the diagnostics\n" +
            "• `status` — where the incident stands and what is next\n" +
            "• `diagnose` — run the diagnostics again\n" +
            "• `propose <action> [args]` — `failover [member]`, `switchover [member]`, `scale-down`, `scale-up [n]`, `cleanup [vacuum-full]`, `drop-slot <name>`, `checkpoint`, `expand-volume [pvc] [size]`\n" +
            "• `ic @user` — hand over the incident commander role\n" +
            "• `note <text>` — add to the timeline\n" +
            "• `escalate` — page the escalation contact into the thread\n" +
            "• `resolve [--force] [root cause]` — resolve and write the post-incident document\n" +
            "• `report [INC-…]` — the post-incident document's summary (written when an incident is resolved)\n" +
            "• `drill <primary-unresponsive|disk-full|connection-exhaustion>` — rehearse an outage end to end against a simulated backend (every message marked [DRILL]; no real cluster touched)\n" +
            "• `drill --live slot-fill` — a real fault in a staging cluster, worked as a real incident; measures time to recovery and acknowledged writes (approver roster, only where enabled)\n" +
            "• `cancel` — declared by mistake · `close` — after the review · `list` — recent incidents";
        return Text(text);
    }
}
