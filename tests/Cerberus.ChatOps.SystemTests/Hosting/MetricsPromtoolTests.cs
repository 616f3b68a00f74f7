using Cerberus.ChatOps.SystemTests.Deployment;
using Cerberus.ChatOps.Tests.Hosting.Metrics;

namespace Cerberus.ChatOps.SystemTests.Hosting;

/// <summary>/metrics checked by Prometheus's own promtool (Debian's prometheus package).</summary>
public sealed class MetricsPromtoolTests(MetricsHostFactory factory) : IClassFixture<MetricsHostFactory>
{
    [Fact]
    public async Task GetMetrics_Output_PassesPromtoolCheckMetrics()
    {
        // arrange
        using var client = factory.CreateClient();
        MetricsScenario.RecordATestIncident();
        var body = await MetricsScenario.ScrapeAsync(client);

        // act
        var (exitCode, stdout, stderr) = await ExternalProcess.RunAsync(
            "promtool", ["check", "metrics"], Path.GetTempPath(), TimeSpan.FromSeconds(30),
            "install Debian's prometheus package (apt-get install -y prometheus)", standardInput: body);

        // assert
        Assert.True(exitCode == 0, "promtool check metrics found problems in /metrics:\n" + stdout + stderr);
    }
}
