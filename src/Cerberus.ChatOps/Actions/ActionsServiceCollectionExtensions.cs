using Cerberus.ChatOps.Actions.Patroni;
using Cerberus.ChatOps.Actions.Postgres;
using Cerberus.ChatOps.Domain.Actions;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Configuration;
using Cerberus.ChatOps.Kubernetes;

namespace Cerberus.ChatOps.Actions;

internal static class ActionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database remediations as <see cref="IRemediationAction"/> (the engine picks them by Kind):
    /// switchover and failover (one class, two registrations), audit-log clean-up, slot drop, checkpoint, VACUUM (FREEZE), session termination, ANALYZE, the replica rebuild (POST /reinitialize), fencing a stale primary and PVC expansion (its pod deletion needs Kubernetes and <c>Cerberus:Kubernetes:FencePods</c>).
    /// Needs <c>AddPatroni()</c>. The clean-up measures free space with the volume probe's meter (<see cref="DataVolumeMeter"/>: df, kubelet stats or Prometheus),
    /// registered here too when <c>AddKubernetesIntegration()</c> has not (then Kubernetes is off and free space unknown). Options: <c>Cerberus:Actions</c>, <c>Cerberus:Cleanup</c>, and <c>Cerberus:DryRun</c>.
    /// </summary>
    public static IServiceCollection AddRemediationActions(this IServiceCollection services)
    {
        services.AddValidatedOptions<ActionsOptions, ActionsOptionsValidator>(ActionsOptions.Section);
        services.AddOptions<ActionsOptions>().Configure<IConfiguration>((o, configuration) =>
        {
            o.DryRun = configuration.GetValue<bool>("Cerberus:DryRun");
            if (string.IsNullOrWhiteSpace(o.PostgresConnectionString))
            {
                o.PostgresConnectionString = configuration["Cerberus:Postgres:ConnectionString"];
            }
        });
        services.AddValidatedOptions<CleanupOptions, CleanupOptionsValidator>(CleanupOptions.Section);
        services.AddSingleton<PostgresConnector>();
        services.AddDataVolumeMeter();

        // Transient: they hold the typed Patroni HttpClient, which must not be captured by a singleton.
        services.AddTransient<IRemediationAction>(sp => ActivatorUtilities.CreateInstance<PatroniFailoverAction>(sp, RemediationKind.Switchover));
        services.AddTransient<IRemediationAction>(sp => ActivatorUtilities.CreateInstance<PatroniFailoverAction>(sp, RemediationKind.Failover));
        services.AddTransient<IRemediationAction, AuditLogCleanupAction>();
        services.AddTransient<IRemediationAction, DropReplicationSlotAction>();
        services.AddTransient<IRemediationAction, CheckpointAction>();
        services.AddTransient<IRemediationAction, VacuumFreezeAction>();
        services.AddTransient<IRemediationAction, TerminateSessionsAction>();
        services.AddTransient<IRemediationAction, AnalyzeAction>();
        services.AddSingleton<ILeaderReplicationAccess, LeaderReplicationAccess>();
        services.AddTransient<IRemediationAction, ReinitializeReplicaAction>();
        services.AddTransient<IRemediationAction, FenceOldLeaderAction>();
        return services;
    }
}
