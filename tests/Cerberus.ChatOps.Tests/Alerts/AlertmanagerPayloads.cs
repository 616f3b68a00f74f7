using System.Globalization;
using System.Text;

namespace Cerberus.ChatOps.Tests.Alerts;

/// <summary>Alertmanager webhook bodies (version 4), as <c>notify/webhook</c> sends them.</summary>
internal static class AlertmanagerPayloads
{
    public const string GroupKey = "{}/{severity=\"critical\"}:{alertname=\"PostgresPrimaryDown\"}";

    public static readonly DateTimeOffset StartsAt = new(2026, 12, 4, 2, 58, 0, TimeSpan.Zero);

    public static string Alert(string fingerprint, string status = "firing", string name = "PostgresPrimaryDown", string summary = "the primary does not answer", DateTimeOffset? startsAt = null, string? endsAt = null) =>
        $$"""
        {"status":"{{status}}","labels":{"alertname":"{{name}}","cluster":"pg-main","severity":"critical"},
         "annotations":{"summary":"{{summary}}"},
         "startsAt":"{{(startsAt ?? StartsAt).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}}",
         "endsAt":"{{endsAt ?? "0001-01-01T00:00:00Z"}}",
         "generatorURL":"http://prometheus:9090/graph?g0.expr=pg_up+%3D%3D+0","fingerprint":"{{fingerprint}}"}
        """;

    public static string Notification(string status, params string[] alerts) =>
        $$"""
        {"receiver":"cerberus","status":"{{status}}","alerts":[{{string.Join(",", alerts)}}],
         "groupLabels":{"alertname":"PostgresPrimaryDown"},"commonLabels":{"alertname":"PostgresPrimaryDown","severity":"critical"},
         "commonAnnotations":{"summary":"the primary does not answer"},"externalURL":"http://alertmanager:9093",
         "version":"4","groupKey":{{System.Text.Json.JsonSerializer.Serialize(GroupKey)}},"truncatedAlerts":0}
        """;

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);
}
