using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Hosting.Metrics;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

/// <summary>One of every metric the bot records, and a scrape of /metrics (shared with the promtool system test).</summary>
internal static class MetricsScenario
{
    public static void RecordATestIncident()
    {
        CerberusMetrics.IncidentDeclared();
        CerberusMetrics.ProbeFinished("patroni_cluster", ProbeStatus.Crit, TimeSpan.FromMilliseconds(420));
        CerberusMetrics.ProbeFinished("postgres_connect", "Unknown", TimeSpan.FromSeconds(3));
        CerberusMetrics.SetIncidentCounts(new Dictionary<IncidentState, int> { [IncidentState.AwaitingDecision] = 1 });
        CerberusMetrics.ActionFinished(RemediationKind.Failover, ActionStatus.Succeeded);
        CerberusMetrics.SlackApiCalled("chat.postMessage", "ok");
        CerberusMetrics.SlackRateLimited("chat.update");
        CerberusMetrics.SlackApiRetried("chat.update");
        CerberusMetrics.SlackApiCalled("chat.update", "ok");
        CerberusMetrics.SlackAcknowledged("/slack/commands", TimeSpan.FromMilliseconds(35));
    }

    public static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
