using Cerberus.ChatOps.Diagnostics.Http;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Tests.Support.Kubernetes;
using Cerberus.ChatOps.Kubernetes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Kubernetes;

public sealed class KubernetesRegistrationTests
{
    [Fact]
    public async Task AddKubernetesIntegration_KubernetesOff_RegistersProbesAndActionsThatAnswerWithTheReason()
    {
        // arrange
        using var provider = Provider(new Dictionary<string, string?> { ["Cerberus:Kubernetes:Enabled"] = "false" });

        // act
        var probes = provider.GetServices<IDiagnosticProbe>().ToList();
        var actions = provider.GetServices<IRemediationAction>().ToList();
        var results = await Task.WhenAll(probes.Select(p => p.RunAsync(CancellationToken.None)));
        var proposal = await actions.Single(a => a.Kind == RemediationKind.ScaleBackendDown).ProposeAsync(
            new ProposalRequest("inc-1", "a-1", "U1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), false, new Dictionary<string, string>()), CancellationToken.None);

        // assert
        Assert.Equal([ProbeNames.Kubernetes, ProbeNames.Volume, ProbeNames.App], probes.Select(p => p.Name));
        Assert.Equal([RemediationKind.ScaleBackendDown, RemediationKind.ScaleBackendUp, RemediationKind.RestartBackend, RemediationKind.ExpandVolume], actions.Select(a => a.Kind));
        Assert.All(results, r => Assert.Equal(ProbeStatus.Unknown, r.Status));
        Assert.Equal(KubernetesAccess.OffReason, results[0].Summary);
        Assert.Equal(KubernetesAccess.OffReason, results[1].Summary);
        Assert.Equal(KubernetesAccess.OffReason, proposal.NotApplicableReason);
        Assert.False(provider.GetRequiredService<KubernetesAccess>().IsAvailable);
    }

    [Fact]
    public async Task AddKubernetesIntegration_HostPointsAtTheFake_ProbeReadsThroughIt()
    {
        // arrange
        await using var server = await FakeKubernetesApiServer.StartAsync();
        server.AddPod(KubeObjects.Pod("postgres-primary-0", KubeObjects.PatroniLabels("master")));
        using var provider = Provider(new Dictionary<string, string?>
        {
            ["Cerberus:Kubernetes:Enabled"] = "true",
            ["Cerberus:Kubernetes:Host"] = server.Uri.ToString(),
        });

        // act
        var probe = provider.GetServices<IDiagnosticProbe>().Single(p => p.Name == ProbeNames.Kubernetes);
        var result = await probe.RunAsync(CancellationToken.None);

        // assert
        Assert.True(provider.GetRequiredService<KubernetesAccess>().IsAvailable);
        Assert.Equal("1", result.Facts[KubernetesFactKeys.PostgresPods]);
        Assert.Contains(server.Requests, r => r.Path == "/api/v1/namespaces/cerberus/pods" && r.QueryValue("labelSelector") == "cluster-name=cerberus-cluster");
    }

    [Fact]
    public void Build_EnabledNotSetOutsideACluster_OffWithTheHowTo()
    {
        // arrange
        var options = new KubernetesOptions();

        // act
        var (client, reason) = KubernetesAccess.Build(options, () => false, NullLogger.Instance);

        // assert
        Assert.Null(client);
        Assert.Equal(KubernetesAccess.NotInClusterReason, reason);
    }

    [Fact]
    public void Validate_BadValues_OneLinePerProblemNamingTheKey()
    {
        // arrange
        var validator = new KubernetesOptionsValidator();
        var options = new KubernetesOptions
        {
            Namespace = "Cerberus_NS",
            PatroniClusterLabel = "cerberus-cluster",
            Host = "not a url",
            DataPath = "var/lib/postgresql",
            RequestTimeout = TimeSpan.Zero,
            PrometheusUrl = "prometheus:9090",
            PrometheusSelector = "cluster=prod",
            VolumeResizeTimeout = TimeSpan.Zero,
            MaxVolumeGrowthFactor = 1,
        };

        // act
        var result = validator.Validate(null, options);

        // assert
        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        Assert.Equal(9, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:Namespace:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:PatroniClusterLabel:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:Host:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:DataPath:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:RequestTimeout:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:PrometheusUrl:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:PrometheusSelector: 'cluster=prod' must be PromQL label matchers", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:VolumeResizeTimeout:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cerberus:Kubernetes:MaxVolumeGrowthFactor:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("cluster=\"prod-eu\"", true)]
    [InlineData("cluster=\"prod-eu\", job=~\"kubelet|kube-state\"", true)]
    [InlineData("cluster=prod", false)]
    [InlineData("cluster=\"prod\"} or vector(1) # ", false)]
    [InlineData("cluster=\"a\",,", false)]
    public void IsValidSelector_PromQlMatchersOnly(string? selector, bool valid)
    {
        // act / assert
        Assert.Equal(valid, PrometheusQuery.IsValidSelector(selector));
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // arrange
        var validator = new KubernetesOptionsValidator();

        // act
        var result = validator.Validate(null, new KubernetesOptions());

        // assert
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddKubernetesIntegration();
        services.AddAppHealthProbe();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<KubernetesOptions>>().Value;
        return provider;
    }
}
