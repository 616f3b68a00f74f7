using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cerberus.ChatOps.Store;

/// <summary>Readiness: the store answers a trivial query and its schema is at the version this build expects.</summary>
internal sealed class StoreHealthCheck(ICerberusStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await store.GetSchemaVersionAsync(cancellationToken);
            return version >= store.LatestSchemaVersion
                ? HealthCheckResult.Healthy($"{store.ProviderName} store, schema version {version}")
                : HealthCheckResult.Unhealthy($"{store.ProviderName} store, schema version {version}: not migrated to {store.LatestSchemaVersion} yet");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The description is public (GET /readyz): the provider and the kind of failure, nothing from the connection string.
            return HealthCheckResult.Unhealthy($"{store.ProviderName} store does not answer ({ex.GetType().Name})", ex);
        }
    }
}
