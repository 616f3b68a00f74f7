using System.Globalization;
using System.Text;
using Cerberus.ChatOps.Domain.Text;
using Cerberus.ChatOps.Domain.Incidents;

namespace Cerberus.ChatOps.Domain.Reports;

/// <summary>
/// Renders a <see cref="PostIncidentReport"/> as a Markdown document. Every section is always present, in a fixed
/// order (the structure the golden tests compare); people are written <c>@U…</c>, the bot <c>cerberus</c>; times are UTC.
/// </summary>
public static class PostIncidentReportMarkdown
{
    /// <summary>The section headings, in order.</summary>
    public static IReadOnlyList<string> Sections { get; } =
    [
        "## Summary",
        "## Times",
        "### Durations",
        "## Recovery time (RTO)",
        "## Data loss (RPO)",
        "## Root cause",
        "## Timeline",
        "### Refused attempts",
        "## Actions taken",
        "### Not run",
        "## Diagnostic figures before and after",
        "## Data integrity check",
        "## Errors seen in the logs",
        "## Preventive measures",
        "### From the runbook",
        "### From this incident's findings",
        "## Follow-ups",
    ];

    public static string Render(PostIncidentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# {(report.Drill ? "[DRILL] " : string.Empty)}{(report.IsLiveDrill ? "[LIVE DRILL] " : string.Empty)}{report.IncidentId}: {Cell(report.Title)} — post-incident report");
        Line();
        if (report.Drill)
        {
            Line("> **DRILL** — this incident was an exercise; no production change was expected.");
            Line();
        }

        if (report.IsLiveDrill)
        {
            Line("> **LIVE DRILL** — a fault was injected on purpose into a staging cluster; the diagnostics, approvals and actions were real.");
            Line();
        }

        Line("| | |");
        Line("|---|---|");
        Line($"| Severity | {ReportFormat.Severity(report.Severity)} |");
        Line($"| Incident commander | {Actor(report.Commander)} |");
        Line($"| Declared by | {Actor(report.DeclaredBy)} |");
        Line($"| Channel | #{Cell(report.Channel)} |");
        Line($"| State | {report.State} |");
        Line($"| Generated | {ReportFormat.Time(report.GeneratedAt)} |");
        Line();

        Line("## Summary");
        Line();
        Line($"- **Time to recovery:** {Durations.Format(report.RecoveryTime.TimeToRecovery)} (detection → resolution) — {report.RecoveryTime.Sentence}.");
        Line($"- **Data loss:** {report.DataLoss.Amount} — {report.DataLoss.Sentence}.");
        Line($"- **Root cause:** {Cell(report.RootCause.Display)}");
        Line($"- **Actions:** {report.ActionsTaken.Count(a => !a.DryRun)} taken, {report.ActionsTaken.Count(a => a.DryRun)} dry run, {report.ActionsNotRun.Count} not run.");
        Line();

        Line("## Times");
        Line();
        Line("| Milestone | Time (UTC) |");
        Line("|---|---|");
        Line($"| Detected (earliest symptom) | {ReportFormat.Time(report.Times.Detected)} |");
        Line($"| Declared | {ReportFormat.Time(report.Times.Declared)} |");
        Line($"| Mitigated | {ReportFormat.Time(report.Times.Mitigated)} |");
        Line($"| Resolved | {ReportFormat.Time(report.Times.Resolved)} |");
        Line();
        Line("### Durations");
        Line();
        Line("| Interval | Duration |");
        Line("|---|---|");
        Line($"| Detection → declaration | {Durations.Format(report.Times.DetectionToDeclaration)} |");
        Line($"| Declaration → mitigation | {Durations.Format(report.Times.DeclarationToMitigation)} |");
        Line($"| Detection → mitigation | {Durations.Format(report.Times.DetectionToMitigation)} |");
        Line($"| Mitigation → resolution | {Durations.Format(report.Times.MitigationToResolution)} |");
        Line($"| Declaration → resolution | {Durations.Format(report.Times.DeclarationToResolution)} |");
        Line($"| **Detection → resolution (time to recovery)** | **{Durations.Format(report.Times.TimeToRecovery)}** |");
        Line();

        Line("## Recovery time (RTO)");
        Line();
        Line($"Time to recovery {Durations.Format(report.RecoveryTime.TimeToRecovery)}, measured from the detection: **{report.RecoveryTime.Sentence}**.");
        Line();
        if (report.LiveDrill is { } live)
        {
            LiveDrill(live, Line);
        }
        else if (report.IsLiveDrill)
        {
            Line("Live drill: no measurement was recorded (the bot restarted during the drill, or the incident was resolved before the drill ended); time to recovery and acknowledged writes are unknown.");
            Line();
        }

        Line("## Data loss (RPO)");
        Line();
        Line($"**{report.DataLoss.Amount}** — **{report.DataLoss.Sentence}**.");
        Line();
        Line(Cell(char.ToUpperInvariant(report.DataLoss.Explanation[0]) + report.DataLoss.Explanation[1..]));
        if (report.DataLoss.Failovers.Count > 0)
        {
            Line();
            Line("| Action | Mode | Old leader | New leader | Old leader's last LSN | Candidate's received LSN | Switchpoint LSN | Timeline after | Old leader after | WAL rate | Loss |");
            Line("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var f in report.DataLoss.Failovers)
            {
                var loss = f.LossBytes is null ? "unknown" : (f.Certain ? string.Empty : "≥ ") + ReportFormat.BytesExact(f.LossBytes.Value);
                if (f.LossSeconds is { } s && f.LossBytes is not 0)
                {
                    loss += $", ≈ {Durations.Format(s)}";
                }

                if (!f.Certain)
                {
                    loss += f.UpperBytes is { } u ? $", ≤ {ReportFormat.BytesExact(u)}" : ", upper bound unknown";
                }

                var rate = f.WalRateBytesPerSecond is { } r ? ByteSize.Format((long)r) + "/s" : "—";
                Line($"| {f.ActionId} | {f.Mode} | {Cell(f.OldLeader)} | {Cell(f.NewLeader)} | {Cell(f.OldLeaderLastLsn)} | {Cell(f.CandidateReceivedLsn)} | {Cell(f.SwitchpointLsn)} | {Cell(f.TimelineAfter)} | {Cell(f.OldLeaderState)} | {rate} | {loss} |");
            }
        }

        Line();

        Line("## Root cause");
        Line();
        Line(report.RootCause.IsHypothesis
            ? $"{Cell(report.RootCause.Text)} **{RootCauseFinding.HypothesisMarker}**"
            : Cell(report.RootCause.Text));
        Line();

        Line("## Timeline");
        Line();
        Line("| Time (UTC) | Actor | Event |");
        Line("|---|---|---|");
        foreach (var row in report.Timeline)
        {
            Line($"| {ReportFormat.Time(row.At)} | {Actor(row.Actor)} | {Cell(row.Text)} |");
        }

        Line();
        Line("### Refused attempts");
        Line();
        if (report.RefusedAttempts.Count == 0)
        {
            Line("None: nobody tried what they may not do.");
        }
        else
        {
            Line("| Time (UTC) | Who | What was refused |");
            Line("|---|---|---|");
            foreach (var row in report.RefusedAttempts)
            {
                Line($"| {ReportFormat.Time(row.At)} | {Actor(row.Actor)} | {Cell(row.Text)} |");
            }
        }

        Line();

        Line("## Actions taken");
        Line();
        ActionTable(report.ActionsTaken, Line, "No action ran.");
        Line("### Not run");
        Line();
        ActionTable(report.ActionsNotRun, Line, "None: every proposal was decided and ran.");

        Line("## Diagnostic figures before and after");
        Line();
        if (report.Figures.Count == 0)
        {
            Line("No diagnosis ran.");
        }
        else
        {
            Line(report.FiguresAfterAt is null
                ? $"Before: the only diagnosis, {ReportFormat.Time(report.FiguresBeforeAt)}. After: no later diagnosis ran."
                : $"Before: first diagnosis, {ReportFormat.Time(report.FiguresBeforeAt)}. After: last diagnosis, {ReportFormat.Time(report.FiguresAfterAt)}.");
            Line();
            Line("| Figure | Before | After |");
            Line("|---|---|---|");
            foreach (var f in report.Figures)
            {
                Line($"| {f.Label} | {Cell(f.Before)} | {Cell(f.After)} |");
            }
        }

        Line();

        Line("## Data integrity check");
        Line();
        if (report.StatisticsReset)
        {
            Line("> **Caveat:** a replica was promoted during this incident. Table statistics are not replicated and are reset when");
            Line("> the new primary starts, so the live/dead tuple counts below may be near zero or stale: they do not prove");
            Line("> there is no bloat. Run `ANALYZE` (`vacuumdb --analyze-only`) on the new primary and check again.");
            Line();
        }

        if (report.Integrity is null)
        {
            Line("Not collected.");
        }
        else if (report.Integrity.Problem is not null)
        {
            Line($"Could not be read at {ReportFormat.Time(report.Integrity.CollectedAt)}: {Cell(report.Integrity.Problem)}");
        }
        else if (report.Integrity.Rows.Count == 0)
        {
            Line($"`pg_stat_user_tables` at {ReportFormat.Time(report.Integrity.CollectedAt)}: no user tables.");
        }
        else
        {
            Line($"`pg_stat_user_tables` at {ReportFormat.Time(report.Integrity.CollectedAt)}, most dead tuples first; flagged: more than 20 % and 100,000 dead tuples.");
            Line();
            Line("| Table | Live tuples | Dead tuples | Dead % | Last vacuum | Last autovacuum | Flag |");
            Line("|---|---:|---:|---:|---|---|---|");
            foreach (var t in report.Integrity.Rows)
            {
                Line(string.Create(CultureInfo.InvariantCulture,
                    $"| {Cell(t.QualifiedName)} | {t.LiveTuples:N0} | {t.DeadTuples:N0} | {(t.DeadPercent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "—")} | {ReportFormat.Time(t.LastVacuum)} | {ReportFormat.Time(t.LastAutovacuum)} | {(t.IsBloated ? "bloated" : string.Empty)} |"));
            }
        }

        Line();

        Line("## Errors seen in the logs");
        Line();
        if (report.LogErrors.Count == 0)
        {
            Line("None seen by the diagnostics.");
        }
        else
        {
            Line("| Signature | Count | First seen (UTC) |");
            Line("|---|---:|---|");
            foreach (var e in report.LogErrors)
            {
                Line(string.Create(CultureInfo.InvariantCulture, $"| {Cell(e.Signature)} | {e.Count} | {ReportFormat.Time(e.FirstSeen)} |"));
            }

            Line();
            Line("Count: the most occurrences one diagnosis run saw (runs read overlapping log windows).");
        }

        Line();

        Line("## Preventive measures");
        Line();
        Line("### From the runbook");
        Line();
        var n = 1;
        foreach (var m in report.PreventiveMeasures.Where(m => m.FromRunbook))
        {
            Line(string.Create(CultureInfo.InvariantCulture, $"{n++}. {Cell(m.Text)}"));
        }

        Line();
        Line("### From this incident's findings");
        Line();
        var derived = report.PreventiveMeasures.Where(m => !m.FromRunbook).ToList();
        if (derived.Count == 0)
        {
            Line("None beyond the runbook's.");
        }

        foreach (var m in derived)
        {
            Line($"- {Cell(m.Text)} _Because {Cell(m.Reason)}._");
        }

        Line();

        Line("## Follow-ups");
        Line();
        if (report.FollowUps.Count == 0)
        {
            Line("None.");
        }

        foreach (var f in report.FollowUps)
        {
            Line($"- [ ] {Cell(f)}");
        }

        return md.ToString();
    }

    private static void ActionTable(IReadOnlyList<ReportActionRow> rows, Action<string> line, string empty)
    {
        if (rows.Count == 0)
        {
            line(empty);
            line(string.Empty);
            return;
        }

        line("| Action | Target | Proposed by | Proposed at | Decided by | Decided at | Started | Finished | Status | Dry run | Outcome |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var a in rows)
        {
            var status = a.NotUndone ? $"{a.Status} (not undone)" : a.Status.ToString();
            line($"| {a.Kind} ({a.Id}) | {Cell(a.Target)} | {Actor(a.ProposedBy)} | {ReportFormat.Time(a.ProposedAt)} | {Actor(a.DecidedBy)} | {ReportFormat.Time(a.DecidedAt)} | {ReportFormat.Time(a.StartedAt)} | {ReportFormat.Time(a.FinishedAt)} | {status} | {(a.DryRun ? "yes" : "no")} | {Cell(a.Outcome)} |");
        }

        line(string.Empty);
    }

    private static string Actor(string? actor) => Cell(ReportFormat.MarkdownActor(actor));

    /// <summary>Free text inside the document: one line, and pipes and angle brackets escaped (no table break, no HTML).</summary>
    private static void LiveDrill(LiveDrillResult live, Action<string> line)
    {
        line($"Live drill **{Cell(live.Scenario)}** — fault: {Cell(live.Fault)}.");
        line("");
        line("| Live drill | |");
        line("|---|---|");
        line($"| Fault injected | {ReportFormat.Time(live.InjectedAt)} |");
        line($"| Recovery verified | {(live.RecoveredAt is { } r ? ReportFormat.Time(r) : "not within the drill")} ({Cell(live.RecoveredBy)}) |");
        line($"| Time to recovery (injection → verified recovery) | {(live.Verdict is { } v ? $"{Durations.Format(v.TimeToRecovery)} — {v.Sentence}" : "unknown: not recovered")} |");
        line($"| Acknowledged writes | {live.Acknowledged.ToString(CultureInfo.InvariantCulture)} |");
        line($"| Survived | {(live.Survived is { } s ? s.ToString(CultureInfo.InvariantCulture) : "unknown")} |");
        line($"| Lost | {(live.Survived is null ? "unknown" : live.Lost.Count == 0 ? "0" : $"{live.Lost.Count.ToString(CultureInfo.InvariantCulture)}: {Cell(live.LostNames())}")} |");
        line($"| Writes not acknowledged (error or no answer) | {live.Failed.ToString(CultureInfo.InvariantCulture)} |");
        if (live.Problem is not null)
        {
            line($"| Unknown because | {Cell(live.Problem)} |");
        }

        line("");
    }

    private static string Cell(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? "—"
            : ReportFormat.PlainText(text)
                .Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("|", "\\|", StringComparison.Ordinal)
                .Replace("<", "\\<", StringComparison.Ordinal)
                .Replace(">", "\\>", StringComparison.Ordinal);
}
