using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Kubernetes;

internal static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Kubernetes options and client access (built only when enabled), the Kubernetes and volume probes,
    /// the two scaling actions and the rolling restart. With Kubernetes off everything is still registered and answers
    /// UNKNOWN / not applicable with the reason.
    /// </summary>
    public static IServiceCollection AddKubernetesIntegration(this IServiceCollection services)
    {
        services.AddValidatedOptions<KubernetesOptions, KubernetesOptionsValidator>(KubernetesOptions.Section);
        services.AddSingleton<KubernetesAccess>();
        services.AddSingleton<VolumeSampleStore>();
        services.AddSingleton<DataVolumeMeter>();
        services.AddSingleton<BackendScaler>();

        services.AddSingleton<KubernetesProbe>();
        services.AddSingleton<VolumeProbe>();
        services.AddSingleton<IDiagnosticProbe>(sp => sp.GetRequiredService<KubernetesProbe>());
        services.AddSingleton<IDiagnosticProbe>(sp => sp.GetRequiredService<VolumeProbe>());

        services.AddSingleton<IRemediationAction, ScaleBackendDownAction>();
        services.AddSingleton<IRemediationAction, ScaleBackendUpAction>();
        services.AddSingleton<IRemediationAction, RestartBackendAction>();
        return services;
    }
}
