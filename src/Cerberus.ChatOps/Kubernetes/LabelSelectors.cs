using k8s.Models;

namespace Cerberus.ChatOps.Kubernetes;

/// <summary>Turns a deployment's <c>spec.selector</c> into the label-selector string the list calls take.</summary>
internal static class LabelSelectors
{
    public static string? ToQuery(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var (key, value) in (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parts.Add($"{key}={value}");
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var values = string.Join(",", e.Values ?? []);
            parts.Add(e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({values})",
                "NotIn" => $"{e.Key} notin ({values})",
                "Exists" => e.Key,
                "DoesNotExist" => "!" + e.Key,
                _ => e.Key,
            });
        }

        return parts.Count == 0 ? null : string.Join(",", parts);
    }
}
