using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting;
using Cerberus.ChatOps.Hosting.Configuration;
using Cerberus.ChatOps.Store.Postgres;
using Cerberus.ChatOps.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cerberus.ChatOps.Store;

internal static class StoreServiceCollectionExtensions
{
    public const string HealthCheckName = "store";

    /// <summary>
    /// The store chosen by <c>Cerberus:Store:Provider</c>: one singleton serving <see cref="IIncidentStore"/>,
    /// <see cref="IOutboxStore"/>, <see cref="IInboxStore"/> and <see cref="ILeaseStore"/>, its schema migrated while
    /// the host starts, and a readiness check.
    /// </summary>
    public static IServiceCollection AddCerberusStore(this IServiceCollection services)
    {
        services.AddValidatedOptions<StoreOptions, StoreOptionsValidator>(StoreOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ICerberusStore>(Create);
        services.AddSingleton<IIncidentStore>(sp => sp.GetRequiredService<ICerberusStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<ICerberusStore>());
        services.AddSingleton<IInboxStore>(sp => sp.GetRequiredService<ICerberusStore>());
        services.AddSingleton<ILeaseStore>(sp => sp.GetRequiredService<ICerberusStore>());
        services.AddHostedService<StoreInitializer>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>(HealthCheckName, tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    private static ICerberusStore Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StoreOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        return options.Provider switch
        {
            StoreProvider.Sqlite => new SqliteIncidentStore(options.ConnectionString, time, services.GetRequiredService<ILogger<SqliteIncidentStore>>()),
            StoreProvider.Postgres => new PostgresIncidentStore(options.ConnectionString, time, services.GetRequiredService<ILogger<PostgresIncidentStore>>()),
            _ => throw new InvalidOperationException($"{StoreOptions.Section}:Provider: must be Sqlite or Postgres."),
        };
    }
}
