using System.Globalization;

namespace Cerberus.ChatOps.Tests.Hosting.Metrics;

/// <summary>Reads samples out of a Prometheus text exposition.</summary>
internal static class MetricsText
{
    /// <summary>The sum of every sample whose name is <paramref name="name"/>, whatever its labels.</summary>
    public static double Sum(string exposition, string name) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture));
}
