using System.Text.RegularExpressions;

namespace Cerberus.ChatOps.Tests.Support;

/// <summary>The files of manifests/monitoring, and what the tests read out of them.</summary>
public static partial class MonitoringFiles
{
    public static string PrometheusRule => RepositoryFiles.Combine("manifests", "monitoring", "prometheusrule.yaml");

    public static string Dashboard => RepositoryFiles.Combine("manifests", "monitoring", "dashboard.json");

    /// <summary>A PrometheusRule's <c>spec</c> is a Prometheus rule file: everything below <c>spec:</c>, two spaces less indented.</summary>
    public static string RuleFileOf(string prometheusRule)
    {
        var lines = prometheusRule.Split('\n');
        var spec = Array.FindIndex(lines, l => l.TrimEnd() == "spec:");
        if (spec < 0)
        {
            throw new InvalidOperationException("the PrometheusRule has no top-level spec:");
        }

        return string.Join('\n', lines[(spec + 1)..].Select(l => l.StartsWith("  ", StringComparison.Ordinal) ? l[2..] : l));
    }

    /// <summary>Every <c>cerberus_*</c> series a PromQL text names, histogram suffixes (_bucket, _count, _sum) removed.</summary>
    public static IReadOnlyList<string> CerberusSeriesIn(string text) =>
        [.. SeriesName().Matches(text).Select(m => HistogramSuffix().Replace(m.Value, string.Empty)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\bcerberus_[a-z_]+[a-z]\b", RegexOptions.CultureInvariant)]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"_(?:bucket|count|sum)$", RegexOptions.CultureInvariant)]
    private static partial Regex HistogramSuffix();
}
