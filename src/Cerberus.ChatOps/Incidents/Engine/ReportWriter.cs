using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Api;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Access;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Incidents.Access;
using Cerberus.ChatOps.Incidents.Rendering;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>The post-incident document: written from the record (plus the integrity check) when an incident is resolved, posted and uploaded; shown on request.</summary>
internal sealed class ReportWriter(
    IncidentMutator mutator,
    IIncidentStore store,
    TableHealthCollector integrity,
    IOptionsMonitor<PostgresOptions> postgres,
    ApproverRoster roster,
    BackgroundWork work,
    IOptionsMonitor<CleanupOptions> cleanup,
    TimeProvider time)
{
    /// <summary>Writes the post-incident document from the record (plus the integrity check), posts its summary and uploads it.</summary>
    public void StartReport(string incidentId) =>
        work.TryStart("report:" + incidentId, ct => WriteReportAsync(incidentId, ct));

    private async Task WriteReportAsync(string incidentId, CancellationToken cancellationToken)
    {
        // The runbook's post-incident integrity check (pg_stat_user_tables) on the monitored database.
        var tables = await integrity.CollectAsync(postgres.CurrentValue.ConnectionString, cancellationToken);
        await mutator.MutateAsync(incidentId, (incident, batch, now) =>
        {
            if (ReportEligibility.WhyNot(incident) is { } why)
            {
                return new EngineRefusal.NoReport(why);
            }

            var report = PostIncidentReportBuilder.Build(incident, tables, now, cleanup.CurrentValue.Table);
            var markdown = report.ToMarkdown();
            incident.AttachReport(markdown);
            batch.Thread(ReportSlackRenderer.Summary(report, IncidentsEndpoints.ReportPath(incident.Id)));
            batch.File(ReportSlackRenderer.Document(report, markdown));
            return DomainResult.Ok();
        }, cancellationToken);
    }

    public async Task ReportAsync(string channel, string actor, string incidentId, ReplyTarget reply, CancellationToken cancellationToken)
    {
        Incident? incident = null;
        if (!string.IsNullOrWhiteSpace(incidentId))
        {
            incident = await store.GetAsync(incidentId.Trim().ToUpperInvariant(), cancellationToken);

            // Outside the roster only this channel's incidents exist: a private incident channel stays private.
            if (incident is not null && !string.Equals(incident.Channel, channel, StringComparison.Ordinal)
                && !(await roster.PolicyAsync(cancellationToken)).May(IncidentOperation.ReadOtherChannels, actor, string.Empty, drill: false))
            {
                incident = null;
            }
        }
        else
        {
            var recent = (await store.ListAsync(openOnly: false, limit: 50, cancellationToken)).FirstOrDefault(i => string.Equals(i.Channel, channel, StringComparison.Ordinal));
            incident = recent is null ? null : await store.GetAsync(recent.Id, cancellationToken);
        }

        if (incident is null)
        {
            await mutator.ReplyAsync(reply, "No such incident in this channel. `/dbincident list` shows the recent ones.", cancellationToken);
            return;
        }

        if (ReportEligibility.WhyNot(incident) is { } why)
        {
            await mutator.ReplyAsync(reply, why, cancellationToken);
            return;
        }

        if (incident.ReportMarkdown is null)
        {
            StartReport(incident.Id);
            await mutator.ReplyAsync(reply, $"The document of {incident.Id} is being written; it will be posted in the incident thread.", cancellationToken);
            return;
        }

        var report = PostIncidentReportBuilder.Build(incident, null, time.GetUtcNow(), cleanup.CurrentValue.Table);
        await mutator.ReplyAsync(reply, null, ReportSlackRenderer.Summary(report, IncidentsEndpoints.ReportPath(incident.Id)), cancellationToken);
    }
}
