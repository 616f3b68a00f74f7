using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Hosting.Metrics;
using Cerberus.ChatOps.Tests.Support;

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
    public async Task GetMetrics_ClosedLabelSets_EverySeriesExistsBeforeItsFirstEvent()
    {
        // arrange: no scenario; a rate() or an alert must see 0, not "no data"
        using var client = factory.CreateClient();

        // act
        var body = await MetricsScenario.ScrapeAsync(client);

        // assert
        foreach (var kind in Enum.GetValues<RemediationKind>())
        {
            Assert.Contains($"cerberus_actions_total{{kind=\"{kind}\",outcome=\"{ActionStatus.Interrupted}\"}} ", body, StringComparison.Ordinal);
            Assert.Contains($"cerberus_actions_total{{kind=\"{kind}\",outcome=\"{ActionStatus.Failed}\"}} ", body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain($"outcome=\"{ActionStatus.Proposed}\"", body, StringComparison.Ordinal);
        foreach (var probe in ProbeNames.All)
        {
            Assert.Contains($"cerberus_diagnostics_probe_duration_seconds_count{{probe=\"{probe}\",outcome=\"{ProbeStatus.Unknown}\"}} ", body, StringComparison.Ordinal);
        }

        foreach (var method in Cerberus.ChatOps.Slack.Api.SlackApiMethods.All)
        {
            Assert.Contains($"cerberus_slack_api_calls_total{{method=\"{method}\",result=\"ok\"}} ", body, StringComparison.Ordinal);
            Assert.Contains($"cerberus_slack_rate_limited_total{{method=\"{method}\"}} ", body, StringComparison.Ordinal);
            Assert.Contains($"cerberus_slack_api_retries_total{{method=\"{method}\"}} ", body, StringComparison.Ordinal);
        }

        foreach (var route in Cerberus.ChatOps.Slack.SlackEndpoints.Routes)
        {
            Assert.Contains($"cerberus_slack_ack_duration_seconds_count{{route=\"{route}\"}} ", body, StringComparison.Ordinal);
        }

        foreach (var lease in CerberusMetrics.Leases)
        {
            Assert.Contains($"cerberus_lease_held{{lease=\"{lease}\"}} ", body, StringComparison.Ordinal);
        }

        foreach (var kind in new[] { "command", "interaction", "event", "other" })
        {
            Assert.Contains($"cerberus_inbox_set_aside_total{{kind=\"{kind}\"}} ", body, StringComparison.Ordinal);
        }

        foreach (var gauge in new[] { "cerberus_outbox_backlog", "cerberus_outbox_oldest_pending_age_seconds", "cerberus_inbox_backlog", "cerberus_inbox_oldest_pending_age_seconds", "cerberus_rto_budget_used_ratio" })
        {
            Assert.Contains($"# TYPE {gauge} gauge", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SlackApiMethods_EveryMethodTheClientCalls_IsInTheClosedSet()
    {
        // arrange: the client's source, where each method is named once as a literal
        var source = File.ReadAllText(RepositoryFiles.Combine("src", "Cerberus.ChatOps", "Slack", "Api", "SlackApiClient.cs"));

        // act
        var named = System.Text.RegularExpressions.Regex.Matches(source, "\"((?:[a-z]+\\.)+[a-zA-Z.]+|response_url|upload)\"")
            .Select(m => m.Groups[1].Value)
            .Where(v => !v.Contains("slack.com", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        // assert
        Assert.NotEmpty(named);
        Assert.All(named, method => Assert.Contains(method, Cerberus.ChatOps.Slack.Api.SlackApiMethods.All));
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
