using System.Diagnostics;
using Cerberus.ChatOps.Diagnostics;
using Cerberus.ChatOps.Domain.Diagnostics;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cerberus.ChatOps.Tests.Diagnostics;

public sealed class DiagnosticsRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddPatroni();
        services.AddDiagnostics();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public async Task AddDiagnostics_NothingConfigured_EveryProbeSaysWhatToSetAndAnswersAtOnce()
    {
        // arrange
        await using var provider = Build([]);
        var runner = provider.GetRequiredService<IDiagnosticsRunner>();
        var clock = Stopwatch.StartNew();

        // act
        var report = await runner.RunAsync(null, CancellationToken.None);

        // assert
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(
            [ProbeNames.Connectivity, ProbeNames.Connections, ProbeNames.Replication, ProbeNames.Disk, ProbeNames.Wraparound, ProbeNames.Patroni],
            report.Results.Select(r => r.Probe));
        Assert.All(report.Results.Take(5), r => Assert.Equal("not configured: set Cerberus__Postgres__ConnectionString", r.Summary));
        Assert.Equal("not configured: set Cerberus__Patroni__Urls__0", report.Results[5].Summary);
        Assert.Equal(Classification.Inconclusive, report.Classification);
    }

    [Fact]
    public void AddDiagnostics_NegativeConnectTimeout_StartupValidationNamesTheKey()
    {
        // arrange
        using var provider = Build(new() { ["Cerberus:Postgres:ConnectTimeout"] = "-00:00:05" });

        // act
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Cerberus.ChatOps.Diagnostics.Postgres.PostgresOptions>>().Value);

        // assert
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Postgres:ConnectTimeout: ", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDiagnostics_Registered_SixProbesWithDistinctNames()
    {
        // arrange
        using var provider = Build([]);

        // act
        var probes = provider.GetServices<IDiagnosticProbe>().ToList();

        // assert
        Assert.Equal(6, probes.Select(p => p.Name).Distinct().Count());
        Assert.All(probes, p => Assert.True(p.Timeout > TimeSpan.Zero));
    }
}
