using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>The PromQL the volume source sends: label selectors built from names the bot knows, escaped, and the operator's extra matchers checked.</summary>
internal static partial class PrometheusQuery
{
    /// <summary>The kubelet series of one PVC, as the kubelet names them (pkg/kubelet/metrics/collectors/volume_stats.go).</summary>
    public const string Metrics = "kubelet_volume_stats_(capacity_bytes|available_bytes|used_bytes|inodes|inodes_free)";

    /// <summary>The raw samples of the last five minutes (Prometheus' own staleness window), so each comes with its scrape time.</summary>
    public static string Samples(string @namespace, string claim, string? extra) =>
        $"{{__name__=~\"{Metrics}\",{Matchers(@namespace, claim, extra)}}}[5m]";

    /// <summary>Growth of the used bytes per second over the last 30 minutes (least-squares slope).</summary>
    public static string Growth(string @namespace, string claim, string? extra) =>
        $"deriv(kubelet_volume_stats_used_bytes{{{Matchers(@namespace, claim, extra)}}}[30m])";

    /// <summary>Empty, or comma-separated PromQL label matchers (<c>name="value"</c>, <c>=~</c>, <c>!=</c>, <c>!~</c>).</summary>
    public static bool IsValidSelector(string? extra) => string.IsNullOrWhiteSpace(extra) || SelectorPattern().IsMatch(extra);

    /// <summary>A PromQL string literal's content: backslash and double quote escaped.</summary>
    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Matchers(string @namespace, string claim, string? extra)
    {
        var matchers = $"namespace=\"{Escape(@namespace)}\",persistentvolumeclaim=\"{Escape(claim)}\"";
        return string.IsNullOrWhiteSpace(extra) ? matchers : matchers + "," + extra.Trim().TrimEnd(',');
    }

    [GeneratedRegex("""^\s*[A-Za-z_][A-Za-z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[A-Za-z_][A-Za-z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*)*,?\s*$""", RegexOptions.CultureInvariant)]
    private static partial Regex SelectorPattern();
}
