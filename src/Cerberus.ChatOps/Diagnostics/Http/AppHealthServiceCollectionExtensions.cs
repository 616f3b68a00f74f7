using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Diagnostics.Http;

internal static class AppHealthServiceCollectionExtensions
{
    /// <summary>
    /// The backend's health endpoint as a probe (<c>Cerberus:App</c>), also used by the scale-up action's
    /// verification. Registered after the Kubernetes probes, so the findings keep their order.
    /// </summary>
    public static IServiceCollection AddAppHealthProbe(this IServiceCollection services)
    {
        services.AddValidatedOptions<AppOptions, AppOptionsValidator>(AppOptions.Section);

        // A plain named client: the probe's own timeout bounds the GET, and no retry may hide a flaky health endpoint.
        services.AddHttpClient(AppHealthProbe.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<AppHealthProbe>();
        services.AddSingleton<IDiagnosticProbe>(sp => sp.GetRequiredService<AppHealthProbe>());
        return services;
    }
}
