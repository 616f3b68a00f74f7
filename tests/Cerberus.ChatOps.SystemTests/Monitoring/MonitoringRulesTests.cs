using Cerberus.ChatOps.SystemTests.Deployment;
using Cerberus.ChatOps.Tests.Support;

namespace Cerberus.ChatOps.SystemTests.Monitoring;

/// <summary>
/// manifests/monitoring checked by Prometheus's own promtool (the rules parse, and each alert fires on the series that
/// should fire it and stays quiet before), and the monitoring kustomizations rendered by the real <c>kubectl kustomize</c>.
/// </summary>
public sealed class MonitoringRulesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cerberus-rules-").FullName;

    [Fact]
    public async Task PrometheusRule_Spec_PassesPromtoolCheckRules()
    {
        // arrange
        var rules = await WriteRulesAsync();

        // act
        var (exitCode, stdout, stderr) = await PromtoolAsync("check", "rules", rules);

        // assert
        Assert.True(exitCode == 0, "promtool check rules:\n" + stdout + stderr);
        Assert.Contains("SUCCESS: 8 rules found", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrometheusRule_Alerts_FireAsTheUnitTestsOfPromtoolExpect()
    {
        // arrange: the alerts' own unit tests, next to the rules they test
        await WriteRulesAsync();
        var tests = Path.Combine(_directory, "alerts.test.yaml");
        File.Copy(RepositoryPaths.Combine("tests", "Cerberus.ChatOps.SystemTests", "Monitoring", "alerts.test.yaml"), tests);

        // act
        var (exitCode, stdout, stderr) = await PromtoolAsync("test", "rules", tests);

        // assert
        Assert.True(exitCode == 0, "promtool test rules:\n" + stdout + stderr);
    }

    [Fact]
    public async Task Kustomize_MonitoringAndTheServiceMonitorComponent_RenderTheRuleTheDashboardAndTheScrape()
    {
        // arrange: the component is rendered as part of a throw-away kustomization beside the repository's files
        string Relative(params string[] parts) => Path.GetRelativePath(_directory, RepositoryPaths.Combine(parts)).Replace('\\', '/');
        await File.WriteAllTextAsync(Path.Combine(_directory, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {Relative("manifests", "base")}
            components:
              - {Relative("manifests", "components", "service-monitor")}
            """);

        // act
        var monitoring = await KustomizeAsync(RepositoryPaths.Combine("manifests", "monitoring"));
        var scraped = await KustomizeAsync(_directory);

        // assert
        Assert.Contains("kind: PrometheusRule", monitoring, StringComparison.Ordinal);
        Assert.Contains("alert: CerberusRtoBudget75", monitoring, StringComparison.Ordinal);
        Assert.Contains("grafana_dashboard: \"1\"", monitoring, StringComparison.Ordinal);
        Assert.Contains("name: cerberus-chatops-dashboard", monitoring, StringComparison.Ordinal);
        Assert.Contains("namespace: cerberus", monitoring, StringComparison.Ordinal);
        Assert.Contains("kind: ServiceMonitor", scraped, StringComparison.Ordinal);
        Assert.Contains("jobLabel: app.kubernetes.io/name", scraped, StringComparison.Ordinal);
        Assert.Contains("path: /metrics", scraped, StringComparison.Ordinal);
        Assert.Contains("port: http", scraped, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The PrometheusRule's <c>spec</c> is a plain rule file: written out without the resource around it.</summary>
    private async Task<string> WriteRulesAsync()
    {
        var path = Path.Combine(_directory, "rules.yaml");
        await File.WriteAllTextAsync(path, MonitoringFiles.RuleFileOf(await File.ReadAllTextAsync(MonitoringFiles.PrometheusRule)));
        return path;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> PromtoolAsync(params string[] arguments) =>
        await ExternalProcess.RunAsync("promtool", arguments, _directory, TimeSpan.FromSeconds(60),
            "install Debian's prometheus package (apt-get install -y prometheus)");

    private static async Task<string> KustomizeAsync(string directory)
    {
        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync(
            "kubectl", ["kustomize", directory], RepositoryPaths.Root, TimeSpan.FromMinutes(1),
            "install kubectl (it renders the manifests offline with `kubectl kustomize`)");
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed: {stderr.Trim()}");
        return stdout;
    }
}
