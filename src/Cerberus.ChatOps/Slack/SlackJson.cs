using System.Text.Json;

namespace Cerberus.ChatOps.Slack;

/// <summary>Reading Slack's JSON (Web API answers, inbound payloads) without trusting its shape.</summary>
internal static class SlackJson
{
    /// <summary>The string at <paramref name="path"/> (nested property names), or null when any step is missing or not a string.</summary>
    public static string? StringAt(this JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : null;
    }
}
