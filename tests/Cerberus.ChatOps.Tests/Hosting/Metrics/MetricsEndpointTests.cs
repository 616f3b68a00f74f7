using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Hosting.Metrics;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

public sealed class MetricsEndpointTests(MetricsHostFactory factory) : IClassFixture<MetricsHostFactory>
{
    private static readonly string[] Series =
    [
        "cerberus_incidents",
        "cerberus_incidents_declared_total",
        "cerberus_diagnostics_probe_duration_seconds",
        "cerberus_actions_total",
        "cerberus_slack_api_calls_total",
        "cerberus_slack_api_retries_total",
        "cerberus_slack_rate_limited_total",
        "cerberus_slack_ack_duration_seconds",
    ];

    [Fact]
    public async Task GetMetrics_AfterATestIncident_ExposesEveryNamedSeriesAsPrometheusText()
    {
        // arrange
        using var client = factory.CreateClient();
        MetricsScenario.RecordATestIncident();

        // act
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        // assert
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        foreach (var name in Series)
        {
            Assert.Contains($"# TYPE {name} ", body, StringComparison.Ordinal);
        }

        foreach (var state in Enum.GetValues<IncidentState>())
        {
            Assert.Contains($"cerberus_incidents{{state=\"{state}\"}} ", body, StringComparison.Ordinal);
        }

        Assert.Contains("# TYPE cerberus_diagnostics_probe_duration_seconds histogram", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE cerberus_slack_ack_duration_seconds histogram", body, StringComparison.Ordinal);
        Assert.Contains("cerberus_diagnostics_probe_duration_seconds_bucket{probe=\"patroni_cluster\",outcome=\"Crit\",le=\"0.5\"}", body, StringComparison.Ordinal);
        Assert.Contains("cerberus_actions_total{kind=\"Failover\",outcome=\"Succeeded\"}", body, StringComparison.Ordinal);
        Assert.Contains("cerberus_slack_api_calls_total{method=\"chat.postMessage\",result=\"ok\"}", body, StringComparison.Ordinal);
        Assert.Contains("cerberus_slack_api_retries_total{method=\"chat.update\"}", body, StringComparison.Ordinal);
        Assert.Contains("cerberus_slack_rate_limited_total{method=\"chat.update\"}", body, StringComparison.Ordinal);
        Assert.True(MetricsText.Sum(body, "cerberus_incidents_declared_total") >= 1, "cerberus_incidents_declared_total did not count the test incident");
    }

    [Fact]
    public async Task SlackAckTiming_RequestThroughTheHost_ObservesTheAckHistogram()
    {
        // arrange
        using var client = factory.CreateClient();
        var before = MetricsText.Sum(await MetricsScenario.ScrapeAsync(client), "cerberus_slack_ack_duration_seconds_count");

        // act
        using var content = new StringContent("command=%2Fdbincident&text=help");
        using var slack = await client.PostAsync(new Uri("/slack/commands", UriKind.Relative), content);
        var after = MetricsText.Sum(await MetricsScenario.ScrapeAsync(client), "cerberus_slack_ack_duration_seconds_count");

        // assert (other tests may post to /slack/ in parallel: at least this request is counted)
        Assert.True(after >= before + 1, $"cerberus_slack_ack_duration_seconds_count went from {before} to {after}");
    }
}
