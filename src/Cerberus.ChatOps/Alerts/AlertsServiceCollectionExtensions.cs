using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Alerts;

internal static class AlertsServiceCollectionExtensions
{
    /// <summary>The Alertmanager webhook's options (validated at start).</summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddValidatedOptions<AlertsOptions, AlertsOptionsValidator>(AlertsOptions.Section);
        return services;
    }
}
