using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Reports;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>The runbook's post-incident integrity check (pg_stat_user_tables) on the monitored database.</summary>
internal sealed class IntegrityCheck(TableHealthCollector collector, IOptionsMonitor<PostgresOptions> postgres)
{
    public Task<TableHealth> CollectAsync(CancellationToken cancellationToken) =>
        collector.CollectAsync(postgres.CurrentValue.ConnectionString, cancellationToken);
}
