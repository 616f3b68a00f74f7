using Cerberus.ChatOps.Hosting.Configuration;

namespace Cerberus.ChatOps.Kubernetes;

internal sealed class KubernetesOptionsValidator : OptionsValidator<KubernetesOptions>
{
    protected override void Check(KubernetesOptions options, List<string> problems)
    {
        const string S = KubernetesOptions.Section;
        Name(problems, $"{S}:Namespace", options.Namespace);
        Name(problems, $"{S}:PostgresPrimaryDeployment", options.PostgresPrimaryDeployment);
        Name(problems, $"{S}:PostgresReplicaDeployment", options.PostgresReplicaDeployment);
        Name(problems, $"{S}:BackendDeployment", options.BackendDeployment);
        Name(problems, $"{S}:PostgresContainer", options.PostgresContainer);

        if (string.IsNullOrWhiteSpace(options.PatroniClusterLabel) || !options.PatroniClusterLabel.Contains('=', StringComparison.Ordinal))
        {
            problems.Add($"{S}:PatroniClusterLabel: '{options.PatroniClusterLabel}' must be a label selector such as cluster-name=cerberus-cluster.");
        }

        ConfigurationRules.AbsoluteHttpUrl(problems, $"{S}:Host", options.Host);
        ConfigurationRules.AbsoluteHttpUrl(problems, $"{S}:PrometheusUrl", options.PrometheusUrl);
        if (!PrometheusQuery.IsValidSelector(options.PrometheusSelector))
        {
            problems.Add($"{S}:PrometheusSelector: '{options.PrometheusSelector}' must be PromQL label matchers such as cluster=\"prod\" (comma-separated, values in double quotes).");
        }

        ConfigurationRules.Positive(problems, $"{S}:PrometheusTimeout", options.PrometheusTimeout);
        ConfigurationRules.Positive(problems, $"{S}:VolumeResizeTimeout", options.VolumeResizeTimeout);
        ConfigurationRules.Positive(problems, $"{S}:VolumeResizePollInterval", options.VolumeResizePollInterval);
        ConfigurationRules.InRange(problems, $"{S}:MaxVolumeGrowthFactor", options.MaxVolumeGrowthFactor, 1.01, 100);

        if (string.IsNullOrWhiteSpace(options.DataPath) || !options.DataPath.StartsWith('/'))
        {
            problems.Add($"{S}:DataPath: '{options.DataPath}' must be an absolute path inside the postgres container.");
        }

        ConfigurationRules.Positive(problems, $"{S}:RequestTimeout", options.RequestTimeout);
        ConfigurationRules.Positive(problems, $"{S}:RolloutTimeout", options.RolloutTimeout);
        ConfigurationRules.Positive(problems, $"{S}:RolloutPollInterval", options.RolloutPollInterval);
        ConfigurationRules.Positive(problems, $"{S}:EventWindow", options.EventWindow);
        ConfigurationRules.Positive(problems, $"{S}:ProbeTimeout", options.ProbeTimeout);
        if (options.FenceGracePeriod < TimeSpan.FromSeconds(1) || options.FenceGracePeriod > TimeSpan.FromSeconds(60) || options.FenceGracePeriod.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add($"{S}:FenceGracePeriod: {options.FenceGracePeriod} must be whole seconds from 00:00:01 to 00:01:00 (a short grace period: the stale primary must stop soon).");
        }
    }

    /// <summary>A DNS-1123 name: lower-case letters, digits and '-', at most 63 characters.</summary>
    private static void Name(List<string> problems, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 63 || !value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            problems.Add($"{key}: '{value}' is not a Kubernetes name (lower-case letters, digits and '-', at most 63 characters).");
        }
    }
}
