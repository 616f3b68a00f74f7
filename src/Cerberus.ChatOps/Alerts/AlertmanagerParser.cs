using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cerberus.ChatOps.Domain.Incidents;
using Cerberus.ChatOps.Domain.Text;

namespace Cerberus.ChatOps.Alerts;

/// <summary>
/// Reads Alertmanager's webhook body (version 4) into an <see cref="AlertBatch"/>, or says in one sentence what is
/// wrong with it. Texts are bounded and pass the secret redactor: they end up in Slack and in the report.
/// </summary>
internal static class AlertmanagerParser
{
    public const int MaxAlerts = 1000;
    public const int MaxTextLength = 300;
    public const int MaxSummaryLength = 150;

    private static readonly JsonSerializerOptions Json = new() { MaxDepth = 16 };

    public static (AlertBatch? Batch, string? Problem) Parse(ReadOnlySpan<byte> body)
    {
        AlertmanagerNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize<AlertmanagerNotification>(body, Json);
        }
        catch (JsonException ex)
        {
            return (null, $"The body is not an Alertmanager webhook notification: {ex.Message}");
        }

        if (notification is null)
        {
            return (null, "The body is empty (null): expected Alertmanager's webhook JSON.");
        }

        if (notification.Version != "4")
        {
            return (null, $"version must be \"4\" (Alertmanager's webhook format), not {Quote(notification.Version)}.");
        }

        if (string.IsNullOrWhiteSpace(notification.GroupKey))
        {
            return (null, "groupKey is required.");
        }

        if (notification.Status is not (IncidentAlert.Firing or IncidentAlert.Resolved))
        {
            return (null, $"status must be \"firing\" or \"resolved\", not {Quote(notification.Status)}.");
        }

        if (notification.Alerts is not { Count: > 0 } alerts)
        {
            return (null, "alerts must hold at least one alert.");
        }

        if (alerts.Count > MaxAlerts)
        {
            return (null, $"alerts holds {alerts.Count} alerts; at most {MaxAlerts} are accepted in one notification (set max_alerts in the receiver).");
        }

        var groupKey = Bound(notification.GroupKey, 1000);
        var parsed = new List<IncidentAlert>(alerts.Count);
        for (var i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i];
            if (alert is null)
            {
                return (null, $"alerts[{i}] is null.");
            }

            if (alert.Status is not (IncidentAlert.Firing or IncidentAlert.Resolved))
            {
                return (null, $"alerts[{i}].status must be \"firing\" or \"resolved\", not {Quote(alert.Status)}.");
            }

            if (alert.StartsAt == default)
            {
                return (null, $"alerts[{i}].startsAt is required.");
            }

            var labels = alert.Labels ?? [];
            var name = labels.TryGetValue("alertname", out var n) && !string.IsNullOrWhiteSpace(n) ? Bound(n, 100) : "(unnamed alert)";
            parsed.Add(new IncidentAlert(
                groupKey,
                string.IsNullOrWhiteSpace(alert.Fingerprint) ? Fingerprint(labels) : Bound(alert.Fingerprint, 64),
                name,
                alert.Status,
                Describe(alert.Annotations, labels),
                alert.StartsAt.ToUniversalTime(),
                alert.EndsAt.Year > 1 && alert.Status == IncidentAlert.Resolved ? alert.EndsAt.ToUniversalTime() : null,
                Link(alert.GeneratorUrl)));
        }

        var first = parsed[0];
        var common = notification.CommonLabels ?? [];
        var alertName = common.TryGetValue("alertname", out var cn) && !string.IsNullOrWhiteSpace(cn) ? Bound(cn, 100) : first.Name;
        var commonSummary = notification.CommonAnnotations is { } annotations && Annotation(annotations) is { } s ? s : first.Summary;
        var summary = Bound($"{alertName}: {commonSummary}", MaxSummaryLength);
        return (new AlertBatch(groupKey, notification.Status, Bound(notification.Receiver ?? string.Empty, 100), summary, parsed,
            Math.Max(0, notification.TruncatedAlerts), DedupeKey(groupKey, notification.Status, parsed)), null);
    }

    private static string DedupeKey(string groupKey, string status, IEnumerable<IncidentAlert> alerts)
    {
        var text = new StringBuilder(groupKey).Append('\n').Append(status);
        foreach (var a in alerts.OrderBy(a => a.Fingerprint, StringComparer.Ordinal))
        {
            text.Append('\n').Append(a.Fingerprint).Append('|').Append(a.Status).Append('|')
                .Append(a.StartsAt.ToString("O", CultureInfo.InvariantCulture)).Append('|')
                .Append(a.EndsAt?.ToString("O", CultureInfo.InvariantCulture));
        }

        return "alertmanager/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Describe(Dictionary<string, string>? annotations, Dictionary<string, string> labels) =>
        annotations is not null && Annotation(annotations) is { } text
            ? text
            : Bound(string.Join(", ", labels.Where(l => l.Key != "alertname").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")), MaxTextLength) is { Length: > 0 } l
                ? l
                : "(no summary)";

    private static string? Annotation(Dictionary<string, string> annotations) =>
        (annotations.GetValueOrDefault("summary") ?? annotations.GetValueOrDefault("description") ?? annotations.GetValueOrDefault("message")) is { } t && !string.IsNullOrWhiteSpace(t)
            ? Bound(t, MaxTextLength)
            : null;

    /// <summary>Only an absolute http(s) link is kept (it is rendered as a link in Slack).</summary>
    private static string? Link(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && url!.Length <= 1000 ? SecretRedactor.Redact(url) : null;

    /// <summary>The labels' own fingerprint when Alertmanager sent none (older versions): a hash of the sorted set.</summary>
    private static string Fingerprint(Dictionary<string, string> labels) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))))[..16];

    /// <summary>One line, at most <paramref name="max"/> characters, secrets removed.</summary>
    private static string Bound(string text, int max)
    {
        var line = string.Join(' ', SecretRedactor.Redact(text).Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private static string Quote(string? value) => value is null ? "missing" : $"\"{Bound(value, 40)}\"";
}
