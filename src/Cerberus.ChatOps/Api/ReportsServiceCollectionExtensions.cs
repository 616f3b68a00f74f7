using Cerberus.ChatOps.Diagnostics.Postgres;
using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Api;

internal static class ReportsServiceCollectionExtensions
{
    /// <summary>The reports API's options (validated at start) and the integrity-check collector.</summary>
    public static IServiceCollection AddCerberusReports(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReportsOptions, ReportsOptionsValidator>(ReportsOptions.Section);
        services.AddSingleton<TableHealthCollector>();
        return services;
    }
}
