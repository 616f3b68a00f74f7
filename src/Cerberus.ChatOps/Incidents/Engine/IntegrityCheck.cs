using Cerberus.ChatOps.Domain.Reports;
using Cerberus.ChatOps.Reports;

namespace Cerberus.ChatOps.Incidents.Engine;

/// <summary>The runbook's post-incident integrity check (pg_stat_user_tables) on the monitored database.</summary>
internal sealed class IntegrityCheck(TableHealthCollector collector, IConfiguration configuration)
{
    public Task<TableHealth> CollectAsync(CancellationToken cancellationToken) =>
        collector.CollectAsync(configuration["Cerberus:Postgres:ConnectionString"], cancellationToken);
}
