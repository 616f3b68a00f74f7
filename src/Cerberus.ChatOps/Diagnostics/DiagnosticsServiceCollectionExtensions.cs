using Cerberus.ChatOps.Diagnostics.Patroni;
using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Diagnostics;

internal static class DiagnosticsServiceCollectionExtensions
{
    /// <summary>
    /// The database and Patroni probes, the runner, and <c>Cerberus:Postgres</c>. Other probes (Kubernetes, volume,
    /// app) register themselves as <see cref="IDiagnosticProbe"/>; the runner runs whatever is registered.
    /// Needs <c>AddPatroni()</c> for <see cref="Cerberus.ChatOps.Patroni.IPatroniClient"/>.
    /// </summary>
    public static IServiceCollection AddDiagnostics(this IServiceCollection services)
    {
        services.AddValidatedOptions<PostgresOptions, PostgresOptionsValidator>(PostgresOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PostgresConnectionFactory>();
        services.TryAddSingleton<PrimaryResolutionCache>();

        // Transient, like every holder of a typed HttpClient; the cache above shares one resolution per run.
        services.AddHttpClient<IPatroniIdentityClient, PatroniIdentityClient>(c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient<PrimaryResolver>();

        // Transient: the Patroni probe holds a typed HttpClient, which must not be captured by a singleton.
        services.AddTransient<IDiagnosticProbe, ConnectivityProbe>();
        services.AddTransient<IDiagnosticProbe, ConnectionsProbe>();
        services.AddTransient<IDiagnosticProbe, ReplicationProbe>();
        services.AddTransient<IDiagnosticProbe, DiskProbe>();
        services.AddTransient<IDiagnosticProbe, WraparoundProbe>();
        services.AddTransient<IDiagnosticProbe, PatroniProbe>();
        services.TryAddTransient<IDiagnosticsRunner, DiagnosticsRunner>();
        return services;
    }
}
