using System.Text.Json.Nodes;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

/// <summary>The alerts and the dashboard of manifests/monitoring name only series the bot really exposes.</summary>
public sealed class MonitoringSeriesTests(MetricsHostFactory factory) : IClassFixture<MetricsHostFactory>
{
    [Fact]
    public async Task PrometheusRuleAndDashboard_EveryCerberusSeries_ExistsInMetrics()
    {
        // arrange
        using var client = factory.CreateClient();
        var exposed = await MetricsScenario.ScrapeAsync(client);
        var rules = await File.ReadAllTextAsync(MonitoringFiles.PrometheusRule);
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(MonitoringFiles.Dashboard))!;
        var expressions = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]!.AsArray())
            .Select(t => t!["expr"]!.GetValue<string>())
            .ToList();

        // act
        var named = MonitoringFiles.CerberusSeriesIn(rules + "\n" + string.Join('\n', expressions));

        // assert: the alerts use the backlog, lease, RTO, actions and rate-limit series; every name is real
        Assert.Contains("cerberus_rto_budget_used_ratio", named);
        Assert.Contains("cerberus_outbox_oldest_pending_age_seconds", named);
        Assert.Contains("cerberus_slack_ack_duration_seconds", named);
        Assert.All(named, name => Assert.Contains($"# TYPE {name} ", exposed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_EveryPanel_HasAPrometheusQueryAndAPlace()
    {
        // arrange
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(MonitoringFiles.Dashboard))!;

        // act
        var panels = dashboard["panels"]!.AsArray().Select(p => p!).ToList();

        // assert
        Assert.Equal("cerberus-chatops", dashboard["uid"]!.GetValue<string>());
        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        Assert.All(panels, p =>
        {
            Assert.NotEmpty(p["targets"]!.AsArray());
            Assert.All(p["targets"]!.AsArray(), t => Assert.False(string.IsNullOrWhiteSpace(t!["expr"]!.GetValue<string>())));
            Assert.NotNull(p["gridPos"]);
        });
    }

    [Fact]
    public void RuleFileOf_PrometheusRule_IsItsSpecOneLevelLessIndented()
    {
        // arrange
        const string rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: g\n";

        // act
        var file = MonitoringFiles.RuleFileOf(rule);

        // assert
        Assert.Equal("groups:\n  - name: g\n", file);
    }
}
