using Cerberus.ChatOps.Actions;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Patroni;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Tests.Actions;

public sealed class RegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddPatroni();
        services.AddRemediationActions();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddRemediationActions_Resolved_OneActionPerDatabaseKind()
    {
        // arrange
        using var provider = Build(new() { ["Cerberus:Postgres:ConnectionString"] = "Host=db;Username=op;Password=x", ["Cerberus:DryRun"] = "true" });

        // act
        var kinds = provider.GetServices<IRemediationAction>().Select(a => a.Kind).OrderBy(k => k).ToList();
        var options = provider.GetRequiredService<IOptions<ActionsOptions>>().Value;

        // assert
        Assert.Equal(
            [RemediationKind.Switchover, RemediationKind.Failover, RemediationKind.AuditLogCleanup, RemediationKind.DropReplicationSlot, RemediationKind.Checkpoint,
                RemediationKind.VacuumFreeze, RemediationKind.TerminateSessions, RemediationKind.Analyze, RemediationKind.ReinitializeReplica, RemediationKind.FenceOldLeader],
            kinds);
        Assert.True(options.DryRun);
        Assert.Equal("Host=db;Username=op;Password=x", options.PostgresConnectionString);
    }

    [Fact]
    public void CleanupOptions_BadTableAndBatch_FailureNamesKeys()
    {
        // arrange
        using var provider = Build(new() { ["Cerberus:Cleanup:Table"] = "audit.logs; drop table x", ["Cerberus:Cleanup:BatchSize"] = "0" });

        // act
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CleanupOptions>>().Value);

        // assert
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Cleanup:Table:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Cleanup:BatchSize:", StringComparison.Ordinal));
    }

    [Fact]
    public void ActionsOptions_BadConnectionString_FailureNamesKeyWithoutTheValue()
    {
        // arrange
        using var provider = Build(new() { ["Cerberus:Actions:PostgresConnectionString"] = "Host=db;Password=hunter2;NoSuchKey=1" });

        // act
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ActionsOptions>>().Value);

        // assert
        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith("Cerberus:Actions:PostgresConnectionString:", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanupOptions_FloorOutOfRange_FailureNamesKeys()
    {
        // arrange
        using var provider = Build(new()
        {
            ["Cerberus:Cleanup:FreeSpaceFloorPercent"] = "60",
            ["Cerberus:Cleanup:FreeSpaceFloorWalMultiple"] = "-1",
            ["Cerberus:Cleanup:PreviewStatementTimeout"] = "00:00:00",
        });

        // act
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CleanupOptions>>().Value);

        // assert
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Cleanup:FreeSpaceFloorPercent: 60 must be between 0 and 50", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Cleanup:FreeSpaceFloorWalMultiple:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Cleanup:PreviewStatementTimeout:", StringComparison.Ordinal));
    }

    [Fact]
    public void CleanupOptions_Defaults_FloorIsTwiceMaxWalSizeOrFivePercent()
    {
        // arrange
        using var provider = Build([]);

        // act
        var options = provider.GetRequiredService<IOptions<CleanupOptions>>().Value;

        // assert
        Assert.Equal(2, options.FreeSpaceFloorWalMultiple);
        Assert.Equal(5, options.FreeSpaceFloorPercent);
    }

    [Fact]
    public void ActionsOptions_LockTimeoutZero_FailureNamesKey()
    {
        // arrange
        using var provider = Build(new() { ["Cerberus:Actions:LockTimeout"] = "00:00:00", ["Cerberus:Actions:StatementTimeout"] = "00:00:00" });

        // act
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ActionsOptions>>().Value);

        // assert
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Actions:LockTimeout:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Cerberus:Actions:StatementTimeout:", StringComparison.Ordinal));
    }
}
