using Cerberus.ChatOps.Actions.Kubernetes;
using Cerberus.ChatOps.Diagnostics.Kubernetes;
using Cerberus.ChatOps.Domain.Ports;
using Cerberus.ChatOps.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cerberus.ChatOps.Kubernetes;

internal static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Kubernetes options and client access (built only when enabled), the Kubernetes and volume probes,
    /// the two scaling actions, the rolling restart and the volume expansion. With Kubernetes off everything is still
    /// registered and answers UNKNOWN / not applicable with the reason.
    /// </summary>
    public static IServiceCollection AddKubernetesIntegration(this IServiceCollection services)
    {
        services.AddValidatedOptions<KubernetesOptions, KubernetesOptionsValidator>(KubernetesOptions.Section);
        services.AddSingleton<VolumeSampleStore>();
        services.AddDataVolumeMeter();
        services.AddSingleton<BackendScaler>();
        services.AddSingleton<VolumeExpander>();

        services.AddSingleton<KubernetesProbe>();
        services.AddSingleton<VolumeProbe>();
        services.AddSingleton<IDiagnosticProbe>(sp => sp.GetRequiredService<KubernetesProbe>());
        services.AddSingleton<IDiagnosticProbe>(sp => sp.GetRequiredService<VolumeProbe>());

        services.AddSingleton<IRemediationAction, ScaleBackendDownAction>();
        services.AddSingleton<IRemediationAction, ScaleBackendUpAction>();
        services.AddSingleton<IRemediationAction, RestartBackendAction>();
        services.AddSingleton<IRemediationAction, ExpandVolumeAction>();
        return services;
    }

    /// <summary>
    /// The data volume's free-space meter (exec df, kubelet Summary API, Prometheus) with what it needs: the Kubernetes
    /// access and the plain Prometheus HTTP client (no retries: a query that fails says so; its own timeout bounds it).
    /// Safe to call more than once (the probes and the clean-up both need it).
    /// </summary>
    public static IServiceCollection AddDataVolumeMeter(this IServiceCollection services)
    {
        services.TryAddSingleton<KubernetesAccess>();
        services.AddHttpClient(PrometheusVolumeSource.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<DataVolumeMeter>();
        return services;
    }
}
